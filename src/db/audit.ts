/**
 * The audit log: one row per executeTool call, hash-chained so that editing, inserting or deleting
 * a row is detectable (`vigil audit verify`). The chain head is also kept in `preferences`, so
 * removing the newest rows is caught too.
 */
import type { Db } from './database.js';
import { canonicalJson, sha256 } from '../util/canonical.js';
import type { AuditDecision, AuditOutcome, CallerKind, Tier } from '../contracts/tiers.js';

export const GENESIS_HASH = '0'.repeat(64);
const HEAD_KEY = 'audit.head';

/** One audit entry as the pipeline records it (args already redacted). */
export interface AuditEntry {
  at: number;
  callerKind: CallerKind;
  callerId: string;
  sessionId: string | null;
  tool: string;
  tier: Tier | null;
  args: unknown;
  target: unknown;
  decision: AuditDecision;
  outcome: AuditOutcome;
  durationMs: number;
  error: string | null;
  approvalId: string | null;
}

export interface AuditRow extends AuditEntry {
  id: number;
  prevHash: string;
  hash: string;
}

export type AuditVerification =
  { ok: true; rows: number } | { ok: false; rows: number; firstBadId: number | null; reason: string };

export interface AuditQuery {
  limit?: number;
  beforeId?: number;
  tool?: string;
  callerKind?: CallerKind;
}

interface RawRow {
  id: number;
  at: number;
  caller_kind: string;
  caller_id: string;
  session_id: string | null;
  tool: string;
  tier: string | null;
  args: string;
  target: string | null;
  decision: string;
  outcome: string;
  duration_ms: number;
  error: string | null;
  approval_id: string | null;
  prev_hash: string;
  hash: string;
}

/** The text a row's hash covers: every column but the hash itself, in a fixed order. */
function hashInput(prevHash: string, row: Omit<RawRow, 'id' | 'prev_hash' | 'hash'>): string {
  // Every member is a string, number or null (args and target are already canonical JSON text),
  // so plain JSON.stringify of this fixed-order array is canonical.
  return JSON.stringify([
    prevHash,
    row.at,
    row.caller_kind,
    row.caller_id,
    row.session_id,
    row.tool,
    row.tier,
    row.args,
    row.target,
    row.decision,
    row.outcome,
    row.duration_ms,
    row.error,
    row.approval_id,
  ]);
}

function fromRaw(raw: RawRow): AuditRow {
  return {
    id: raw.id,
    at: raw.at,
    callerKind: raw.caller_kind as CallerKind,
    callerId: raw.caller_id,
    sessionId: raw.session_id,
    tool: raw.tool,
    tier: raw.tier as Tier | null,
    args: JSON.parse(raw.args) as unknown,
    target: raw.target === null ? null : (JSON.parse(raw.target) as unknown),
    decision: raw.decision as AuditDecision,
    outcome: raw.outcome as AuditOutcome,
    durationMs: raw.duration_ms,
    error: raw.error,
    approvalId: raw.approval_id,
    prevHash: raw.prev_hash,
    hash: raw.hash,
  };
}

/** Creates the audit store over an open database. */
export function createAuditStore(db: Db) {
  const lastHash = db.prepare<[], { hash: string }>('SELECT hash FROM audit ORDER BY id DESC LIMIT 1');
  const insert = db.prepare(
    `INSERT INTO audit (at, caller_kind, caller_id, session_id, tool, tier, args, target, decision, outcome,
       duration_ms, error, approval_id, prev_hash, hash)
     VALUES (@at, @caller_kind, @caller_id, @session_id, @tool, @tier, @args, @target, @decision, @outcome,
       @duration_ms, @error, @approval_id, @prev_hash, @hash)`,
  );
  const setHead = db.prepare(
    `INSERT INTO preferences (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  const getHead = db.prepare<[string], { value: string }>('SELECT value FROM preferences WHERE key = ?');

  // IMMEDIATE takes the write lock before reading the previous hash, so two processes appending
  // at once cannot both chain onto the same row.
  const append = db.transaction((entry: AuditEntry): number => {
    const prevHash = lastHash.get()?.hash ?? GENESIS_HASH;
    const row = {
      at: entry.at,
      caller_kind: entry.callerKind,
      caller_id: entry.callerId,
      session_id: entry.sessionId,
      tool: entry.tool,
      tier: entry.tier,
      args: canonicalJson(entry.args ?? {}),
      target: entry.target === null || entry.target === undefined ? null : canonicalJson(entry.target),
      decision: entry.decision,
      outcome: entry.outcome,
      duration_ms: entry.durationMs,
      error: entry.error,
      approval_id: entry.approvalId,
    };
    const hash = sha256(hashInput(prevHash, row));
    const id = Number(insert.run({ ...row, prev_hash: prevHash, hash }).lastInsertRowid);
    setHead.run(HEAD_KEY, JSON.stringify({ id, hash }), entry.at);
    return id;
  });

  return {
    /** Appends one entry to the chain; returns its id. */
    append(entry: AuditEntry): number {
      return append.immediate(entry);
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
      const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
      return (db.prepare(sql).all(params) as RawRow[]).map(fromRaw);
    },

    count(): number {
      return (db.prepare('SELECT count(*) AS n FROM audit').get() as { n: number }).n;
    },

    /** Walks the chain from the first row; reports the first row whose hash or link does not match. */
    verify(): AuditVerification {
      let prevHash = GENESIS_HASH;
      let prevId = 0;
      let rows = 0;
      for (const raw of db.prepare('SELECT * FROM audit ORDER BY id').iterate() as IterableIterator<RawRow>) {
        rows += 1;
        if (raw.id !== prevId + 1) {
          return { ok: false, rows, firstBadId: raw.id, reason: `rows ${prevId + 1}–${raw.id - 1} are missing` };
        }
        if (raw.prev_hash !== prevHash) {
          return { ok: false, rows, firstBadId: raw.id, reason: 'its link to the previous row does not match' };
        }
        const { id: _id, prev_hash: _prev, hash, ...content } = raw;
        if (sha256(hashInput(prevHash, content)) !== hash) {
          return { ok: false, rows, firstBadId: raw.id, reason: 'its content does not match its hash (edited)' };
        }
        prevHash = hash;
        prevId = raw.id;
      }
      const headText = getHead.get(HEAD_KEY)?.value;
      if (headText !== undefined) {
        const head = JSON.parse(headText) as { id: number; hash: string };
        if (head.id !== prevId || head.hash !== prevHash) {
          return {
            ok: false,
            rows,
            firstBadId: Math.min(head.id, prevId) + 1,
            reason: `the chain ends at row ${prevId} but the recorded head is row ${head.id} (rows deleted)`,
          };
        }
      } else if (rows > 0) {
        return { ok: false, rows, firstBadId: null, reason: 'the recorded chain head is missing' };
      }
      return { ok: true, rows };
    },
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;
