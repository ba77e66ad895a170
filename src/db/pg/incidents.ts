/**
 * Incidents on PostgreSQL. Over a pool, or over one transaction's connection: `events.appendWith`
 * hands the latter to its `write` callback so the row and its event commit together. The partial
 * unique index (at most one active incident per key) works as in SQLite: ON CONFLICT DO NOTHING.
 */
import type { IncidentStatus } from '../../contracts/conditions.js';
import type { Incident, NewIncident } from '../../contracts/incidents.js';
import type { IncidentStore } from '../incidents.js';
import type { Async } from '../ports.js';
import { changes, one, rows, type Queryable } from './pool.js';
import { incidentOf, type Row } from './rows.js';

const ACTIVE_BY_KEY = `SELECT * FROM incidents WHERE key = $1 AND status <> 'resolved'`;

/** Creates the incident part of the monitor port over a pool or a transaction's connection. */
export function createPgIncidents(db: Queryable): Async<IncidentStore> {
  const read = (r: Row | undefined): Incident | undefined => (r ? incidentOf(r) : undefined);

  async function tryOpenIncident(n: NewIncident, at: number): Promise<Incident | undefined> {
    const row = await one<Row>(
      db,
      `INSERT INTO incidents (key, condition, target, node, status, severity, summary, details, flapping, first_seen, last_seen, updated_at)
       VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, $9, $9, $9)
       ON CONFLICT DO NOTHING RETURNING *`,
      [
        n.key,
        n.condition,
        n.target,
        n.node ?? null,
        n.severity,
        n.summary,
        JSON.stringify(n.details),
        n.flapping ? 1 : 0,
        at,
      ],
    );
    return read(row);
  }

  return {
    activeIncidents: async () =>
      (await rows<Row>(db, `SELECT * FROM incidents WHERE status <> 'resolved' ORDER BY id`)).map(incidentOf),
    incident: async (id: number) => read(await one<Row>(db, 'SELECT * FROM incidents WHERE id = $1', [id])),
    activeIncident: async (key: string) => read(await one<Row>(db, ACTIVE_BY_KEY, [key])),
    listIncidents: async (o: { status?: IncidentStatus; limit: number }) =>
      (
        await rows<Row>(
          db,
          'SELECT * FROM incidents WHERE ($1::text IS NULL OR status = $1) ORDER BY id DESC LIMIT $2',
          [o.status ?? null, o.limit],
        )
      ).map(incidentOf),
    openingsSince: async (key: string, since: number) =>
      (await one<{ n: number }>(db, 'SELECT count(*) AS n FROM incidents WHERE key = $1 AND first_seen >= $2', [
        key,
        since,
      ]))!.n,
    tryOpenIncident,
    openIncident: async (n: NewIncident, at: number) =>
      (await tryOpenIncident(n, at)) ?? incidentOf((await one<Row>(db, ACTIVE_BY_KEY, [n.key]))!),
    async touchIncident(id: number, summary: string, details: Record<string, unknown>, at: number) {
      await db.query('UPDATE incidents SET last_seen = $1, summary = $2, details = $3, updated_at = $1 WHERE id = $4', [
        at,
        summary,
        JSON.stringify(details),
        id,
      ]);
    },
    // Resolved is final: a remediation finishing after detection resolved its incident must not reopen it.
    async setStatus(id: number, status: IncidentStatus, at: number) {
      await db.query(`UPDATE incidents SET status = $1, updated_at = $2 WHERE id = $3 AND status <> 'resolved'`, [
        status,
        at,
        id,
      ]);
    },
    resolveIncident: async (id: number, at: number) =>
      (await changes(
        db,
        `UPDATE incidents SET status = 'resolved', resolved_at = $1, updated_at = $1 WHERE id = $2 AND status <> 'resolved'`,
        [at, id],
      )) === 1,
    escalateIncident: async (id: number, at: number) =>
      (await changes(
        db,
        `UPDATE incidents SET status = 'escalated', escalated_at = $1, updated_at = $1 WHERE id = $2 AND status <> 'resolved'`,
        [at, id],
      )) === 1,
    async setApproval(id: number, approvalId: string | null, at: number) {
      await db.query('UPDATE incidents SET approval_id = $1, updated_at = $2 WHERE id = $3', [approvalId, at, id]);
    },
  };
}
