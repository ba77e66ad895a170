/**
 * The MCP resources' addresses and the views of vigil's own records behind them (incidents, audit
 * rows, approvals), plus the pure decisions the subscription code makes: which URIs changed, and
 * which events change the cluster. Views leave out what get_audit_log leaves out (session ids and
 * chain hashes) and pass through the redactor, so no secret or session id reaches a client.
 */
import type { StorePorts } from '../db/ports.js';
import type { VigilEvent } from '../contracts/events.js';
import type { Incident } from '../contracts/incidents.js';
import type { Redactor } from '../safety/redact.js';
import type { HomelabSnapshot } from '../realtime/socket-protocol.js';

export const CLUSTER_URI = 'vigil://cluster';
export const INCIDENTS_URI = 'vigil://incidents';
export const JSON_MIME = 'application/json';

/** What a resource URI names; undefined for a URI vigil does not serve. */
export type ResourceRef =
  | { kind: 'cluster' }
  | { kind: 'incidents' }
  | { kind: 'incident'; id: number }
  | { kind: 'audit'; id: number }
  | { kind: 'approval'; id: string };

const ROW_ID = '([1-9][0-9]{0,14})';
const INCIDENT_RE = new RegExp(`^vigil://incidents/${ROW_ID}$`);
const AUDIT_RE = new RegExp(`^vigil://audit/${ROW_ID}$`);
const APPROVAL_RE = /^vigil:\/\/approvals\/(apr_[A-Za-z0-9_-]{1,64})$/;

/** Parses a vigil:// URI; exact matches only (no query, no trailing slash). */
export function parseResourceUri(uri: string): ResourceRef | undefined {
  if (uri === CLUSTER_URI) return { kind: 'cluster' };
  if (uri === INCIDENTS_URI) return { kind: 'incidents' };
  const incident = INCIDENT_RE.exec(uri);
  if (incident) return { kind: 'incident', id: Number(incident[1]) };
  const audit = AUDIT_RE.exec(uri);
  if (audit) return { kind: 'audit', id: Number(audit[1]) };
  const approval = APPROVAL_RE.exec(uri);
  if (approval) return { kind: 'approval', id: approval[1]! };
  return undefined;
}

export const incidentUri = (id: number): string => `vigil://incidents/${id}`;
export const approvalUri = (id: string): string => `vigil://approvals/${id}`;

export interface RecordDeps {
  stores: Pick<StorePorts, 'monitor' | 'audit' | 'approvals'>;
  redact: Redactor;
  now: () => number;
}

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

/** An incident as get_incidents shows it (ISO times). */
export function incidentView(i: Incident) {
  return {
    ...i,
    firstSeen: iso(i.firstSeen),
    lastSeen: iso(i.lastSeen),
    resolvedAt: iso(i.resolvedAt),
    escalatedAt: iso(i.escalatedAt),
  };
}

/**
 * The record a URI names, or undefined when there is none. The cluster is not a record (it is read
 * through get_cluster_status); asking for it here is a programming error.
 */
export async function readRecord(ref: Exclude<ResourceRef, { kind: 'cluster' }>, deps: RecordDeps): Promise<unknown> {
  const { monitor, audit, approvals } = deps.stores;
  switch (ref.kind) {
    case 'incidents':
      return deps.redact({ incidents: (await monitor.activeIncidents()).map(incidentView) });
    case 'incident': {
      const incident = await monitor.incident(ref.id);
      return incident && deps.redact(incidentView(incident));
    }
    case 'audit': {
      const row = (await audit.list({ beforeId: ref.id + 1, limit: 1 }))[0];
      if (row?.id !== ref.id) return undefined;
      // The fields get_audit_log shows, named one by one: no session id (a credential), no chain hashes.
      const { id, at, callerKind, callerId, tool, tier, args, target, decision, outcome, durationMs, error } = row;
      return deps.redact({
        id,
        at: iso(at),
        ...{ callerKind, callerId, tool, tier, args, target, decision, outcome, durationMs, error },
        approvalId: row.approvalId,
      });
    }
    case 'approval': {
      const approval = await approvals.get(ref.id, deps.now());
      if (!approval) return undefined;
      // Named field by field, so what binds an approval to its requester (session, principal) never leaves.
      const { id, tool, args, plan, status, callerKind, callerId, decidedBy } = approval;
      return deps.redact({
        ...{ id, tool, args, plan, status, callerKind, callerId, decidedBy },
        createdAt: iso(approval.createdAt),
        expiresAt: iso(approval.expiresAt),
        decidedAt: iso(approval.decidedAt),
        usedAt: iso(approval.usedAt),
      });
    }
  }
}

/** The URIs that name something whose content differs between two fingerprint maps (gone or new counts). */
export function changedUris(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const uris = new Set([...before.keys(), ...after.keys()]);
  return [...uris].filter((uri) => before.get(uri) !== after.get(uri)).sort();
}

/** Whether two listings hold different URIs (order aside): then `resources/list_changed` is due. */
export function listingChanged(before: readonly string[], after: readonly string[]): boolean {
  if (before.length !== after.length) return true;
  const seen = new Set(before);
  return after.some((uri) => !seen.has(uri));
}

/**
 * The record URIs an event names: an incident's (and the open list) for incident and remediation
 * events, an approval's for approval events. They are due even when the record reads the same
 * again (an incident opened and resolved between two polls of another process's events).
 */
export function urisNamedBy(event: Pick<VigilEvent, 'type' | 'data'>): string[] {
  const id = event.data?.incidentId;
  if ((event.type.startsWith('incident.') || event.type.startsWith('remediation.')) && Number.isInteger(id))
    return [INCIDENTS_URI, incidentUri(id as number)];
  const approval = event.data?.approvalId;
  if (event.type.startsWith('approval.') && typeof approval === 'string') return [approvalUri(approval)];
  return [];
}

/** Events that add or remove a listed resource (open incidents and waiting approvals are listed). */
export function changesListing(event: Pick<VigilEvent, 'type'>): boolean {
  return ['incident.opened', 'incident.resolved', 'approval.requested', 'approval.resolved'].includes(event.type);
}

/**
 * Events after which the cluster snapshot may read differently: incidents (they are listed among its
 * problems), remediation, and actions a caller ran. Plain reads publish no event, so reading the
 * snapshot after its update notification cannot trigger another one.
 */
export function touchesCluster(event: Pick<VigilEvent, 'type'>): boolean {
  return event.type.startsWith('incident.') || event.type.startsWith('remediation.') || event.type === 'tool.executed';
}

/**
 * What of the monitor's observation the cluster snapshot would report differently: which nodes are
 * online, each guest's node, status and lock, and which node crossed a disk or memory threshold.
 * Usage figures that move every cycle are left out, so subscribers are not told every cycle.
 */
export function clusterPrint(s: HomelabSnapshot): string {
  const over = (v: number | undefined, limit: number) => v !== undefined && v >= limit;
  return JSON.stringify({
    readable: s.clusterReadable,
    nodes: s.nodes
      .map((n) => [
        n.name,
        n.online,
        over(n.diskPercent, s.thresholds.diskPercent),
        over(n.memoryPercent, s.thresholds.memoryPercent),
      ])
      .sort(),
    guests: s.guests.map((g) => [g.vmid, g.node, g.status, g.lock ?? null]).sort(),
  });
}
