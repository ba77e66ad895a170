/**
 * Row → record mappings only the PostgreSQL stores need. The table mappings both engines share
 * (audit, incidents, autonomy actions, leases, silences, monitor runs) are in ../rows.ts and re-exported here; the
 * ones below mirror the private mappers of the SQLite table modules, so both engines hand out
 * identical records; the contract suite (test/db/ports.test.ts) runs the same assertions against both.
 */
import type { CallerKind } from '../../contracts/tiers.js';
import type { EventType, Severity, VigilEvent } from '../../contracts/events.js';
import type { ChainRow } from '../audit-chain.js';
import type { Approval, ApprovalStatus } from '../approvals.js';
import type { NotificationKind, OutboxPayload, OutboxRow, OutboxStatus } from '../outbox.js';
import { auditRowOf as auditRecordOf, num, str, type AuditRow, type Row } from '../rows.js';

export { actionOf, incidentOf, leaseOf, monitorRunOf, silenceOf, type Row } from '../rows.js';

/** An audit row as stored, for the chain walk. */
export function chainRowOf(r: Row): ChainRow {
  return {
    id: r.id as number,
    at: r.at as number,
    caller_kind: r.caller_kind as string,
    caller_id: r.caller_id as string,
    session_id: str(r.session_id),
    tool: r.tool as string,
    tier: str(r.tier),
    args: r.args as string,
    target: str(r.target),
    decision: r.decision as string,
    outcome: r.outcome as string,
    duration_ms: r.duration_ms as number,
    error: str(r.error),
    approval_id: str(r.approval_id),
    prev_hash: r.prev_hash as string,
    hash: r.hash as string,
  };
}

/** An audit row as the API hands it out. */
export const auditRowOf = (r: Row): AuditRow => auditRecordOf(chainRowOf(r));

export function eventOf(r: Row): VigilEvent {
  const event: VigilEvent = {
    id: r.id as number,
    type: r.type as EventType,
    severity: r.severity as Severity,
    title: r.title as string,
    message: r.message as string,
    at: r.at as number,
  };
  if (r.node !== null) event.node = r.node as string;
  if (r.target !== null) event.target = r.target as string;
  if (r.incident_key !== null) event.incidentKey = r.incident_key as string;
  if (r.data !== null) event.data = JSON.parse(r.data as string) as Record<string, unknown>;
  return event;
}

/** An approval as of `now`: pending or approved past its expiry reads as expired. */
export function approvalOf(r: Row, now: number): Approval {
  const status = r.status as string;
  const expired = status === 'pending' || status === 'approved' ? now >= (r.expires_at as number) : false;
  return {
    id: r.id as string,
    tool: r.tool as string,
    args: JSON.parse(r.args as string) as Record<string, unknown>,
    sessionId: str(r.session_id),
    principal: r.principal as string,
    callerKind: r.caller_kind as CallerKind,
    callerId: r.caller_id as string,
    plan: r.plan as string,
    status: expired ? 'expired' : (status as ApprovalStatus),
    createdAt: r.created_at as number,
    expiresAt: r.expires_at as number,
    decidedAt: num(r.decided_at),
    decidedBy: str(r.decided_by),
    usedAt: num(r.used_at),
  };
}

export function outboxRowOf(r: Row): OutboxRow {
  return {
    id: r.id as number,
    channel: r.channel as string,
    kind: r.kind as NotificationKind,
    incidentKey: str(r.incident_key),
    payload: JSON.parse(r.payload as string) as OutboxPayload,
    status: r.status as OutboxStatus,
    attempts: r.attempts as number,
    createdAt: r.created_at as number,
    nextAttemptAt: r.next_attempt_at as number,
    leaseOwner: str(r.lease_owner),
    leaseUntil: num(r.lease_until),
    lastError: str(r.last_error),
    deliveredAt: num(r.delivered_at),
  };
}
