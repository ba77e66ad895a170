/**
 * The incidents table (migration 2): one row per incident, keyed by `condition:target`, at most one
 * active (not resolved) per key — a partial unique index, so two processes cannot both open it.
 * Resolved is final: a late status change or escalation never reopens a resolved incident.
 */
import { boundLimit, type Db } from './database.js';
import type { IncidentStatus } from '../contracts/conditions.js';
import type { Incident, NewIncident } from '../contracts/incidents.js';
import { incidentOf, type Row } from './rows.js';

/** Creates the incident store over an open database. */
export function createIncidentStore(db: Db) {
  const q = {
    active: db.prepare(`SELECT * FROM incidents WHERE status <> 'resolved' ORDER BY id`),
    byId: db.prepare('SELECT * FROM incidents WHERE id = ?'),
    activeByKey: db.prepare(`SELECT * FROM incidents WHERE key = ? AND status <> 'resolved'`),
    list: db.prepare(`SELECT * FROM incidents WHERE (? IS NULL OR status = ?) ORDER BY id DESC ${boundLimit()}`),
    openings: db.prepare('SELECT COUNT(*) AS n FROM incidents WHERE key = ? AND first_seen >= ?'),
    insert: db.prepare(
      `INSERT INTO incidents (key, condition, target, node, status, severity, summary, details, flapping, first_seen, last_seen, updated_at)
       VALUES (@key, @condition, @target, @node, 'open', @severity, @summary, @details, @flapping, @at, @at, @at)
       ON CONFLICT DO NOTHING`,
    ),
    touch: db.prepare('UPDATE incidents SET last_seen = ?, summary = ?, details = ?, updated_at = ? WHERE id = ?'),
    // Resolved is final: a remediation finishing after detection resolved its incident must not reopen it.
    setStatus: db.prepare(`UPDATE incidents SET status = ?, updated_at = ? WHERE id = ? AND status <> 'resolved'`),
    resolve: db.prepare(
      `UPDATE incidents SET status = 'resolved', resolved_at = ?, updated_at = ? WHERE id = ? AND status <> 'resolved'`,
    ),
    escalate: db.prepare(
      `UPDATE incidents SET status = 'escalated', escalated_at = ?, updated_at = ? WHERE id = ? AND status <> 'resolved'`,
    ),
    setApproval: db.prepare('UPDATE incidents SET approval_id = ?, updated_at = ? WHERE id = ?'),
  };

  const read = (r: Row | undefined): Incident | undefined => (r ? incidentOf(r) : undefined);

  function tryOpenIncident(n: NewIncident, at: number): Incident | undefined {
    const info = q.insert.run({ ...n, details: JSON.stringify(n.details), flapping: n.flapping ? 1 : 0, at });
    return info.changes === 1 ? incidentOf(q.byId.get(info.lastInsertRowid) as Row) : undefined;
  }

  return {
    activeIncidents: (): Incident[] => (q.active.all() as Row[]).map(incidentOf),
    incident: (id: number): Incident | undefined => read(q.byId.get(id) as Row | undefined),
    activeIncident: (key: string): Incident | undefined => read(q.activeByKey.get(key) as Row | undefined),
    listIncidents: (o: { status?: IncidentStatus; limit: number }): Incident[] =>
      (q.list.all(o.status ?? null, o.status ?? null, o.limit) as Row[]).map(incidentOf),
    /** How many incidents with this key opened since `since` (flapping). */
    openingsSince: (key: string, since: number): number => (q.openings.get(key, since) as { n: number }).n,
    /**
     * Opens an incident; undefined when one with this key is already active — another process
     * sharing the database opened it since this one read the active list (it tells about it too).
     */
    tryOpenIncident,
    /** Opens an incident, or returns the active one with this key. */
    openIncident: (n: NewIncident, at: number): Incident =>
      tryOpenIncident(n, at) ?? incidentOf(q.activeByKey.get(n.key) as Row),
    touchIncident(id: number, summary: string, details: Record<string, unknown>, at: number): void {
      q.touch.run(at, summary, JSON.stringify(details), at, id);
    },
    /** Changes an active incident's status; a resolved one stays resolved. */
    setStatus: (id: number, status: IncidentStatus, at: number) => void q.setStatus.run(status, at, id),
    /** Resolves an active incident; false when it was resolved already (by another cycle or process). */
    resolveIncident: (id: number, at: number): boolean => q.resolve.run(at, at, id).changes === 1,
    /** Escalates an active incident; false when it was resolved meanwhile. */
    escalateIncident: (id: number, at: number): boolean => q.escalate.run(at, at, id).changes === 1,
    setApproval: (id: number, approvalId: string | null, at: number) => void q.setApproval.run(approvalId, at, id),
  };
}

/** The attempt counter on an incident row, kept by the autonomy-action store. */
export function createAttemptCounter(db: Db) {
  const add = db.prepare('UPDATE incidents SET attempts = attempts + 1, updated_at = ? WHERE id = ?');
  const giveBack = db.prepare('UPDATE incidents SET attempts = MAX(0, attempts - 1) WHERE id = ?');
  return {
    add: (incidentId: number, at: number) => void add.run(at, incidentId),
    giveBack: (incidentId: number) => void giveBack.run(incidentId),
  };
}

export type IncidentStore = ReturnType<typeof createIncidentStore>;
export type AttemptCounter = ReturnType<typeof createAttemptCounter>;
