/**
 * The audit log on PostgreSQL: the same hash chain as SQLite (audit-chain.ts decides the hashed
 * text and walks the chain), with appends from any number of daemons serialized on the chain
 * head. Each append locks the `audit.head` preference row (SELECT … FOR UPDATE) inside its
 * transaction before it reads the last row, so two writers never chain onto the same row, and
 * ids are the last id + 1 under that lock: gapless and in commit order, which `verifyChain`
 * requires (a gap reads as deleted rows, and a sequence leaves gaps on rollback).
 */
import { chainLink, GENESIS_HASH, verifyChain, type AuditVerification } from '../audit-chain.js';
import type { AuditEntry, AuditQuery, AuditRow } from '../audit.js';
import type { ToolCallRow } from '../audit-reads.js';
import type { AuditPort } from '../ports.js';
import { jsonObject } from '../rows.js';
import { inTransaction, one, rows, type Pool, type Queryable } from './pool.js';
import { auditRowOf, chainRowOf, type Row } from './rows.js';

const HEAD_KEY = 'audit.head';

/**
 * Locks the chain head row, then reads the last row: undefined when there is no head row yet,
 * else the last row (null for an empty chain). Two statements on purpose: under READ COMMITTED a
 * statement reads from the snapshot taken when it started, so a read in the locking statement
 * itself would miss the row the previous lock holder committed while this one waited.
 */
async function lockHead(c: Queryable): Promise<{ id: number; hash: string } | null | undefined> {
  const head = await c.query('SELECT key FROM preferences WHERE key = $1 FOR UPDATE', [HEAD_KEY]);
  if (head.rowCount === 0) return undefined;
  return (await one<{ id: number; hash: string }>(c, 'SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1')) ?? null;
}

/** Creates the audit port over a pool (schema migrated). */
export function createPgAudit(pool: Pool): AuditPort {
  return {
    append: (entry: AuditEntry) =>
      inTransaction(pool, async (c) => {
        let last = await lockHead(c);
        if (last === undefined) {
          // The head row must exist to be locked: the first append creates it (a concurrent first
          // append waits on the unique key, then finds it), with the empty chain's head.
          await c.query(
            'INSERT INTO preferences (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING',
            [HEAD_KEY, JSON.stringify({ id: 0, hash: GENESIS_HASH }), entry.at],
          );
          last = await lockHead(c);
        }
        const prevHash = last?.hash ?? GENESIS_HASH;
        const id = (last?.id ?? 0) + 1;
        const { columns, hash } = chainLink(prevHash, entry);
        // The row and the new head in one statement: one round trip fewer on every call.
        await c.query(
          `WITH added AS (
             INSERT INTO audit (id, at, caller_kind, caller_id, session_id, tool, tier, args, target, decision, outcome,
               duration_ms, error, approval_id, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id)
           UPDATE preferences SET value = $18, updated_at = $2 WHERE key = $17 AND EXISTS (SELECT 1 FROM added)`,
          [id, ...columns, prevHash, hash, HEAD_KEY, JSON.stringify({ id, hash })],
        );
        return id;
      }),

    async list(query: AuditQuery = {}): Promise<AuditRow[]> {
      const where: string[] = [];
      const params: unknown[] = [Math.min(Math.max(query.limit ?? 50, 1), 1000)];
      const add = (sql: string, value: unknown) => {
        params.push(value);
        where.push(`${sql} $${params.length}`);
      };
      if (query.beforeId !== undefined) add('id <', query.beforeId);
      if (query.tool !== undefined) add('tool =', query.tool);
      if (query.callerKind !== undefined) add('caller_kind =', query.callerKind);
      const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $1`;
      return (await rows<Row>(pool, sql, params)).map(auditRowOf);
    },

    count: async () => (await one<{ n: number }>(pool, 'SELECT count(*) AS n FROM audit'))?.n ?? 0,

    /**
     * Walks the whole chain and the recorded head in one REPEATABLE READ snapshot, so appends by
     * other daemons meanwhile are neither half-seen nor reported as rows past the head.
     */
    verify: (): Promise<AuditVerification> =>
      inTransaction(
        pool,
        async (c) => {
          const headText = (await one<{ value: string }>(c, 'SELECT value FROM preferences WHERE key = $1', [HEAD_KEY]))
            ?.value;
          const head = headText === undefined ? undefined : (JSON.parse(headText) as { id: number; hash: string });
          const chain = (await rows<Row>(c, 'SELECT * FROM audit ORDER BY id')).map(chainRowOf);
          return verifyChain(chain, head);
        },
        'REPEATABLE READ',
      ),

    lastId: async () => (await one<{ id: number | null }>(pool, 'SELECT max(id) AS id FROM audit'))?.id ?? 0,

    async toolCallsAfter(afterId: number, limit: number): Promise<ToolCallRow[]> {
      const found = await rows<Row>(
        pool,
        'SELECT id, tool, tier, decision, duration_ms FROM audit WHERE id > $1 ORDER BY id LIMIT $2',
        [afterId, limit],
      );
      return found.map((r) => ({
        id: r.id as number,
        tool: r.tool as string,
        tier: (r.tier as string | null) ?? null,
        decision: r.decision as string,
        durationMs: r.duration_ms as number,
      }));
    },

    async stopCallsSince(since: number): Promise<Map<number, number>> {
      const out = new Map<number, number>();
      const found = await rows<{ at: number; args: string }>(
        pool,
        `SELECT at, args FROM audit WHERE tool IN ('stop_guest', 'shutdown_guest') AND decision = 'allowed' AND at >= $1 ORDER BY at, id`,
        [since],
      );
      for (const r of found) {
        const vmid = Number(jsonObject(r.args).vmid);
        if (Number.isInteger(vmid)) out.set(vmid, r.at);
      }
      return out;
    },
  };
}
