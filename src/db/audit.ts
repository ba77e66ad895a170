/**
 * The audit log: one row per executeTool call, hash-chained so that editing, inserting or deleting
 * a row is detectable (`vigil audit verify`). The chain head is also kept in `preferences`, so
 * removing the newest rows is caught too.
 */
import { boundLimit, type Db } from './database.js';
import type { CallerKind } from '../contracts/tiers.js';
import { chainLink, GENESIS_HASH, verifyChain, type AuditVerification, type ChainRow } from './audit-chain.js';
import { auditRowOf, type AuditEntry, type AuditRow } from './rows.js';

export { GENESIS_HASH, type AuditVerification } from './audit-chain.js';
export type { AuditEntry, AuditRow };
const HEAD_KEY = 'audit.head';

export interface AuditQuery {
  limit?: number;
  beforeId?: number;
  tool?: string;
  callerKind?: CallerKind;
}

type RawRow = ChainRow;

/** Creates the audit store over an open database. */
export function createAuditStore(db: Db) {
  const lastHash = db.prepare<[], { hash: string }>('SELECT hash FROM audit ORDER BY id DESC LIMIT 1');
  const insert = db.prepare(
    `INSERT INTO audit (at, caller_kind, caller_id, session_id, tool, tier, args, target, decision, outcome,
       duration_ms, error, approval_id, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const setHead = db.prepare(
    `INSERT INTO preferences (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  const getHead = db.prepare<[string], { value: string }>('SELECT value FROM preferences WHERE key = ?');

  // IMMEDIATE takes the write lock before reading the previous hash, so two processes appending
  // at once cannot both chain onto the same row.
  // The chain head is written once per transaction, after its last row.
  const appendAll = db.transaction((entries: readonly AuditEntry[]): number[] => {
    let prevHash = lastHash.get()?.hash ?? GENESIS_HASH;
    const ids = entries.map((entry) => {
      // Normalised first, so the hash covers exactly the values SQLite stores and reads back.
      const { columns, hash } = chainLink(prevHash, entry);
      // Positional parameters, in the column order above: no object copied and looked up per row.
      const id = Number(insert.run(...columns, prevHash, hash).lastInsertRowid);
      prevHash = hash;
      return id;
    });
    const last = entries.at(-1);
    if (last) setHead.run(HEAD_KEY, JSON.stringify({ id: ids.at(-1), hash: prevHash }), last.at);
    return ids;
  });

  return {
    /** Appends one entry to the chain; returns its id. */
    append(entry: AuditEntry): number {
      return appendAll.immediate([entry])[0]!;
    },

    /** Appends entries in order in one transaction (one commit for all); returns their ids. */
    appendMany(entries: readonly AuditEntry[]): number[] {
      return appendAll.immediate(entries);
    },

    /** Newest first. */
    list(query: AuditQuery = {}): AuditRow[] {
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: Math.min(Math.max(query.limit ?? 50, 1), 1000) };
      if (query.beforeId !== undefined) {
        where.push('id < @beforeId');
        params.beforeId = query.beforeId;
      }
      if (query.tool !== undefined) {
        where.push('tool = @tool');
        params.tool = query.tool;
      }
      if (query.callerKind !== undefined) {
        where.push('caller_kind = @callerKind');
        params.callerKind = query.callerKind;
      }
      const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC ${boundLimit('@limit')}`;
      return (db.prepare(sql).all(params) as RawRow[]).map(auditRowOf);
    },

    count(): number {
      return (db.prepare('SELECT count(*) AS n FROM audit').get() as { n: number }).n;
    },

    /** Walks the whole chain and the recorded head; reports every bad row as ranges. */
    verify(): AuditVerification {
      const headText = getHead.get(HEAD_KEY)?.value;
      const head = headText === undefined ? undefined : (JSON.parse(headText) as { id: number; hash: string });
      return verifyChain(db.prepare('SELECT * FROM audit ORDER BY id').iterate() as IterableIterator<RawRow>, head);
    },
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;
