/**
 * Autonomy actions on PostgreSQL: the rows are also the attempt, cooldown and daily-cap counters,
 * shared by every daemon. Starting an action is fenced (fencing.ts): a daemon that no longer
 * leads cannot record, and so cannot run, a new remediation. Finishing one is not: it records
 * what already happened, and losing that record would hide an action that ran.
 */
import type { ActionFinish, AutonomyAction } from '../actions.js';
import type { ActionStore } from '../actions.js';
import type { Async } from '../ports.js';
import { checkFence, type Fence } from './fencing.js';
import { inTransaction, one, rows, type Pool, type Queryable } from './pool.js';
import { actionOf, type Row } from './rows.js';

const addAttempt = (c: Queryable, incidentId: number, at: number) =>
  c.query('UPDATE incidents SET attempts = attempts + 1, updated_at = $1 WHERE id = $2', [at, incidentId]);

/** Creates the autonomy-action part of the monitor port; `fence` carries the leadership epoch. */
export function createPgActions(pool: Pool, fence?: Fence): Async<ActionStore> {
  const list = async (sql: string, params: unknown[]): Promise<AutonomyAction[]> =>
    (await rows<Row>(pool, sql, params)).map(actionOf);

  return {
    startAction: (a: Omit<AutonomyAction, 'id' | 'verification' | 'auditId' | 'finishedAt' | 'durationMs'>) =>
      inTransaction(pool, async (c) => {
        await checkFence(c, fence);
        const row = await one<{ id: number }>(
          c,
          `INSERT INTO autonomy_actions (incident_id, incident_key, runbook, tool, args, node, result, detail, holder, counts, started_at, approval_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
          [
            a.incidentId,
            a.incidentKey,
            a.runbook,
            a.tool,
            JSON.stringify(a.args),
            a.node,
            a.result,
            a.detail,
            a.holder,
            a.counts ? 1 : 0,
            a.startedAt,
            a.approvalId,
          ],
        );
        if (a.counts) await addAttempt(c, a.incidentId, a.startedAt);
        return row!.id;
      }),
    finishAction: (id: number, f: ActionFinish) =>
      inTransaction(pool, async (c) => {
        const before = await one<Row>(c, 'SELECT incident_id, counts FROM autonomy_actions WHERE id = $1 FOR UPDATE', [
          id,
        ]);
        await c.query(
          `UPDATE autonomy_actions SET result = $2, detail = $3, verification = $4, audit_id = $5,
             approval_id = COALESCE($6, approval_id), counts = $7, finished_at = $8, duration_ms = $9 WHERE id = $1`,
          [
            id,
            f.result,
            f.detail,
            f.verification ?? null,
            f.auditId ?? null,
            f.approvalId ?? null,
            f.counts ? 1 : 0,
            f.finishedAt,
            f.durationMs,
          ],
        );
        // An action that turned out not to count (blocked at the gate, proposed) gives its attempt back.
        if (before && before.counts === 1 && !f.counts) {
          await c.query('UPDATE incidents SET attempts = GREATEST(0, attempts - 1) WHERE id = $1', [
            before.incident_id,
          ]);
        }
        if (before && before.counts === 0 && f.counts) await addAttempt(c, before.incident_id as number, f.finishedAt);
      }),
    action: async (id: number) => {
      const r = await one<Row>(pool, 'SELECT * FROM autonomy_actions WHERE id = $1', [id]);
      return r ? actionOf(r) : undefined;
    },
    actionsForKey: (key: string, since: number) =>
      list('SELECT * FROM autonomy_actions WHERE incident_key = $1 AND started_at >= $2 ORDER BY id', [key, since]),
    actionsForIncident: (id: number) => list('SELECT * FROM autonomy_actions WHERE incident_id = $1 ORDER BY id', [id]),
    recentActions: (o: { incidentKey?: string; limit: number }) =>
      list('SELECT * FROM autonomy_actions WHERE ($1::text IS NULL OR incident_key = $1) ORDER BY id DESC LIMIT $2', [
        o.incidentKey ?? null,
        o.limit,
      ]),
    actionsSince: (since: number) => list('SELECT * FROM autonomy_actions WHERE started_at >= $1 ORDER BY id', [since]),
    runningActions: () => list(`SELECT * FROM autonomy_actions WHERE result = 'running' ORDER BY id`, []),
  };
}
