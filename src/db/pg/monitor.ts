/**
 * The monitor's shared state on PostgreSQL: incidents (incidents.ts), autonomy actions
 * (actions.ts), remediation leases, silences and schedule runs, composed into the monitor port.
 * Taking or renewing a lease is fenced by the leadership epoch (fencing.ts); taking one locks the
 * lease table for the read-decide-write, as SQLite's IMMEDIATE transaction does.
 */
import { decideLease, type Lease } from '../../contracts/leases.js';
import type { LeaseGrant, MonitorRun, Silence } from '../monitor.js';
import type { MonitorPort } from '../ports.js';
import { checkFence, type Fence } from './fencing.js';
import { changes, inTransaction, one, rows, type Pool } from './pool.js';
import { leaseOf, monitorRunOf, silenceOf, type Row } from './rows.js';
import { createPgIncidents } from './incidents.js';
import { createPgActions } from './actions.js';

/** Creates the monitor port over a pool (schema migrated); `fence` carries the leadership epoch. */
export function createPgMonitor(pool: Pool, fence?: Fence): MonitorPort {
  const leases = async (): Promise<Lease[]> =>
    (await rows<Row>(pool, 'SELECT * FROM remediation_leases ORDER BY node COLLATE "C"')).map(leaseOf);

  return {
    ...createPgIncidents(pool),
    ...createPgActions(pool, fence),
    leases,
    acquireLease: (lease: Lease, maxNodes: number, alive: (l: Lease) => boolean): Promise<LeaseGrant> =>
      inTransaction(pool, async (c) => {
        await checkFence(c, fence);
        // Read, decide and write under the table lock: the decision sees the leases it replaces.
        await c.query('LOCK TABLE remediation_leases IN SHARE ROW EXCLUSIVE MODE');
        const current = (await rows<Row>(c, 'SELECT * FROM remediation_leases ORDER BY node COLLATE "C"')).map(leaseOf);
        const d = decideLease(
          current,
          { node: lease.node, holder: lease.holder, now: lease.acquiredAt },
          maxNodes,
          alive,
        );
        for (const l of d.drop) await c.query('DELETE FROM remediation_leases WHERE node = $1', [l.node]);
        if (d.grant) {
          await c.query(
            `INSERT INTO remediation_leases (node, holder, pid, host, incident_key, acquired_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (node) DO UPDATE SET holder = excluded.holder, pid = excluded.pid, host = excluded.host,
               incident_key = excluded.incident_key, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at`,
            [lease.node, lease.holder, lease.pid, lease.host, lease.incidentKey, lease.acquiredAt, lease.expiresAt],
          );
        }
        return { ok: d.grant, recovered: d.drop, holders: d.live };
      }),
    renewLease: (node: string, holder: string, expiresAt: number) =>
      inTransaction(pool, async (c) => {
        await checkFence(c, fence);
        const n = await changes(c, 'UPDATE remediation_leases SET expires_at = $1 WHERE node = $2 AND holder = $3', [
          expiresAt,
          node,
          holder,
        ]);
        return n === 1;
      }),
    releaseLease: async (node: string, holder: string) =>
      (await changes(pool, 'DELETE FROM remediation_leases WHERE node = $1 AND holder = $2', [node, holder])) === 1,

    addSilence: async (s: Omit<Silence, 'id'>, at: number) =>
      (await one<{ id: number }>(
        pool,
        'INSERT INTO silences (matcher, reason, created_by, starts_at, ends_at, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
        [s.matcher, s.reason, s.createdBy, s.startsAt, s.endsAt, at],
      ))!.id,
    activeSilences: async (at: number): Promise<Silence[]> =>
      (await rows<Row>(pool, 'SELECT * FROM silences WHERE starts_at <= $1 AND ends_at > $1 ORDER BY id', [at])).map(
        silenceOf,
      ),
    endSilence: async (id: number, at: number) =>
      (await changes(pool, 'UPDATE silences SET ends_at = $1 WHERE id = $2 AND ends_at > $1', [at, id])) === 1,

    async recordRun(run: MonitorRun) {
      await pool.query(
        `INSERT INTO monitor_runs (kind, holder, started_at, finished_at, duration_ms, error, summary)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (kind) DO UPDATE SET holder = excluded.holder, started_at = excluded.started_at,
           finished_at = excluded.finished_at, duration_ms = excluded.duration_ms, error = excluded.error, summary = excluded.summary`,
        [run.kind, run.holder, run.startedAt, run.finishedAt, run.durationMs, run.error, run.summary],
      );
    },
    runs: async (): Promise<MonitorRun[]> =>
      (await rows<Row>(pool, 'SELECT * FROM monitor_runs ORDER BY kind COLLATE "C"')).map(monitorRunOf),
  };
}
