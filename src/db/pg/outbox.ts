/**
 * The notification outbox on PostgreSQL, drained by the delivery workers of every daemon; each row
 * is claimed by exactly one of them. Escalations and recoveries are claimed with
 * `FOR UPDATE SKIP LOCKED` (a worker skips rows another is claiming, and the re-checked lease
 * condition skips rows claimed meanwhile). A channel's digest of reports is claimed under a
 * per-channel transaction lock, because "one digest in flight per channel" is a decision over
 * several rows that no row lock covers. The rules (order, digest window) are the SQLite store's.
 */
import type { ClaimOptions, NewOutboxRow, OutboxRow, OutboxStatus } from '../outbox.js';
import type { OutboxPort } from '../ports.js';
import { changes, inTransaction, one, rows, type Pool } from './pool.js';
import { outboxRowOf, type Row } from './rows.js';

/** Rows no live lease holds, of the channels this worker serves ($1 now, $2 channels). */
const FREE = `status = 'pending' AND (lease_until IS NULL OR lease_until <= $1) AND channel = ANY($2::text[])`;

/** Applies `sql` to each id and counts the rows it changed, in one transaction. */
function eachId(pool: Pool, ids: readonly number[], sql: string, rest: unknown[]): Promise<number> {
  return inTransaction(pool, async (c) => {
    let n = 0;
    for (const id of ids) n += await changes(c, sql, [id, ...rest]);
    return n;
  });
}

/** Creates the outbox port over a pool (schema migrated). */
export function createPgOutbox(pool: Pool): OutboxPort {
  return {
    add: (list: readonly NewOutboxRow[], at: number) =>
      inTransaction(pool, async (c) => {
        const ids: number[] = [];
        for (const r of list) {
          const row = await one<{ id: number }>(
            c,
            `INSERT INTO outbox (channel, kind, incident_key, payload, status, attempts, created_at, next_attempt_at)
             VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5) RETURNING id`,
            [r.channel, r.kind, r.incidentKey, JSON.stringify(r.payload), at],
          );
          ids.push(row!.id);
        }
        return ids;
      }),

    claim: (opts: ClaimOptions): Promise<OutboxRow[]> =>
      inTransaction(pool, async (c) => {
        const { now } = opts;
        const channels = [...opts.channels];
        const until = now + opts.leaseMs;
        // Escalations first: when a backlog drains, the urgent mail must not wait behind the rest.
        const claimed = await rows<Row>(
          c,
          `SELECT * FROM outbox WHERE ${FREE} AND kind != 'report' AND next_attempt_at <= $1
           ORDER BY CASE kind WHEN 'escalation' THEN 0 ELSE 1 END, id LIMIT $3 FOR UPDATE SKIP LOCKED`,
          [now, channels, opts.limit ?? 50],
        );
        const due = await rows<{ channel: string }>(
          c,
          `SELECT DISTINCT channel FROM outbox WHERE ${FREE} AND kind = 'report' AND next_attempt_at <= $1 ORDER BY channel`,
          [now, channels],
        );
        for (const { channel } of due) {
          // One digest per channel at a time across daemons: the check and the lease under one lock.
          await c.query(`SELECT pg_advisory_xact_lock(hashtext('vigil.outbox.digest:' || $1))`, [channel]);
          const busy = await one<{ n: number }>(
            c,
            `SELECT count(*) AS n FROM outbox WHERE channel = $1 AND kind = 'report' AND status = 'pending' AND lease_until > $2`,
            [channel, now],
          );
          if ((busy?.n ?? 0) > 0) continue;
          const last = await one<{ at: number | null }>(
            c,
            `SELECT max(delivered_at) AS at FROM outbox WHERE channel = $1 AND kind = 'report' AND status = 'delivered'`,
            [channel],
          );
          if (last && last.at !== null && now < last.at + opts.digestMs) continue;
          // Backed-off reports join the due ones: the channel is being tried anyway, and one digest beats two.
          claimed.push(
            ...(await rows<Row>(
              c,
              `SELECT * FROM outbox WHERE ${FREE} AND kind = 'report' AND channel = $3 ORDER BY id LIMIT 500 FOR UPDATE`,
              [now, channels, channel],
            )),
          );
        }
        const ids = claimed.map((r) => r.id as number);
        await c.query('UPDATE outbox SET lease_owner = $1, lease_until = $2 WHERE id = ANY($3::bigint[])', [
          opts.owner,
          until,
          ids,
        ]);
        return claimed.map((r) => outboxRowOf({ ...r, lease_owner: opts.owner, lease_until: until }));
      }),

    markDelivered: (ids: readonly number[], owner: string, at: number) =>
      eachId(
        pool,
        ids,
        `UPDATE outbox SET status = 'delivered', delivered_at = $3, lease_owner = NULL, lease_until = NULL, last_error = NULL
         WHERE id = $1 AND status = 'pending' AND lease_owner = $2`,
        [owner, at],
      ),
    markRetry: (list: readonly { id: number; nextAttemptAt: number }[], owner: string, error: string) =>
      inTransaction(pool, async (c) => {
        let n = 0;
        for (const r of list) {
          n += await changes(
            c,
            `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $3, last_error = $4, lease_owner = NULL, lease_until = NULL
             WHERE id = $1 AND status = 'pending' AND lease_owner = $2`,
            [r.id, owner, r.nextAttemptAt, error],
          );
        }
        return n;
      }),
    markFailed: (ids: readonly number[], owner: string, error: string) =>
      eachId(
        pool,
        ids,
        `UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = $3, lease_owner = NULL, lease_until = NULL
         WHERE id = $1 AND status = 'pending' AND lease_owner = $2`,
        [owner, error],
      ),
    release: (ids: readonly number[], owner: string) =>
      eachId(
        pool,
        ids,
        `UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND status = 'pending' AND lease_owner = $2`,
        [owner],
      ),
    async leaseHolders() {
      const found = await rows<{ id: number; owner: string }>(
        pool,
        `SELECT id, lease_owner AS owner FROM outbox WHERE status = 'pending' AND lease_owner IS NOT NULL ORDER BY id`,
      );
      const byOwner = new Map<string, number[]>();
      for (const r of found) byOwner.set(r.owner, [...(byOwner.get(r.owner) ?? []), r.id]);
      return [...byOwner].map(([owner, ids]) => ({ owner, ids }));
    },
    async get(id: number) {
      const row = await one<Row>(pool, 'SELECT * FROM outbox WHERE id = $1', [id]);
      return row && outboxRowOf(row);
    },
    list: async (limit = 1000) =>
      (await rows<Row>(pool, 'SELECT * FROM outbox ORDER BY id LIMIT $1', [limit])).map(outboxRowOf),
    async counts() {
      const out: Record<OutboxStatus, number> = { pending: 0, delivered: 0, failed: 0 };
      const found = await rows<{ status: string; n: number }>(
        pool,
        'SELECT status, count(*) AS n FROM outbox GROUP BY status',
      );
      for (const { status, n } of found) out[status as OutboxStatus] = n;
      return out;
    },
    dropOrphans: (channels: readonly string[], before: number, error: string) =>
      changes(
        pool,
        `UPDATE outbox SET status = 'failed', last_error = $3
         WHERE status = 'pending' AND created_at < $1 AND (lease_until IS NULL OR lease_until <= $1)
           AND NOT (channel = ANY($2::text[]))`,
        [before, [...channels], error],
      ),
    prune: (before: number) =>
      changes(pool, `DELETE FROM outbox WHERE status != 'pending' AND created_at < $1`, [before]),
  };
}
