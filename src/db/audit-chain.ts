/**
 * The audit hash chain: the exact text a row's hash covers, the normalisation that makes that text
 * equal to what SQLite stores and reads back, and the walk that verifies a whole chain.
 *
 * SQLite keeps text as UTF-8, so a string holding a lone UTF-16 surrogate ("\ud800") is stored as
 * U+FFFD; hashing the string before storage would hash something the database never holds, and the
 * row would later look edited. So every text column is made well-formed before it is hashed and
 * stored, and JSON columns are serialised first (JSON escapes lone surrogates, losing nothing).
 */
import * as crypto from 'node:crypto';
import { canonicalJson, sha256 } from '../util/canonical.js';

export const GENESIS_HASH = '0'.repeat(64);

/** An audit row's columns as stored, without id and the two hashes. */
export interface ChainContent {
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
}

/** A stored audit row. */
export interface ChainRow extends ChainContent {
  id: number;
  prev_hash: string;
  hash: string;
}

/** A run of consecutive bad rows with one cause. */
export interface BrokenRange {
  first: number;
  last: number;
  count: number;
  reason: string;
}

export type AuditVerification =
  | { ok: true; rows: number }
  | {
      ok: false;
      rows: number;
      /** The first bad row, or null when only the recorded head is missing. */
      firstBadId: number | null;
      /** The first problem, in words. */
      reason: string;
      /** How many rows are bad (edited, unlinked, missing or past the head). */
      badRows: number;
      /** Every bad row, as ranges in id order (at most MAX_RANGES; `rangesOmitted` counts the rest). */
      ranges: BrokenRange[];
      rangesOmitted: number;
    };

const MAX_RANGES = 1000;
// One-shot hashing (Node 20.12 and later) makes no Hash object per row; older Node 20 builds use
// `sha256`. Both give the same hex digest. The node types this project builds against predate it.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
const hexSha256 = oneShot ? (text: string) => oneShot('sha256', text, 'hex') : sha256;
// String.prototype.toWellFormed ships with Node 20 (ES2024); the project's TypeScript lib stops at ES2023.
const toWellFormed = (String.prototype as unknown as { toWellFormed: (this: string) => string }).toWellFormed;

/** `text` with every lone UTF-16 surrogate replaced by U+FFFD: the string SQLite will store. */
export function wellFormed(text: string): string {
  return toWellFormed.call(text);
}

function text(value: unknown): string {
  return wellFormed(typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));
}

function textOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : text(value);
}

/** A finite number as SQLite keeps it (NaN and infinities become 0, which the NOT NULL columns accept). */
function finite(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** An audit entry as the chain reads it (the shape of rows.ts's AuditEntry, without its vocabularies). */
type EntryInput = Parameters<typeof chainContent>[0];

/**
 * What an append stores for `entry` chained onto `prevHash`: the normalised columns but id and the
 * two hashes, in INSERT order (chainColumns), and the row's hash. Both engines append through it.
 */
export function chainLink(prevHash: string, entry: EntryInput): { columns: (string | number | null)[]; hash: string } {
  const row = chainContent(entry);
  return { columns: chainColumns(row), hash: rowHash(prevHash, row) };
}

/** The columns to store for one entry, normalised so that reading them back gives the same values. */
export function chainContent(entry: {
  at: number;
  callerKind: string;
  callerId: string;
  sessionId: string | null;
  tool: string;
  tier: string | null;
  args: unknown;
  target: unknown;
  decision: string;
  outcome: string;
  durationMs: number;
  error: string | null;
  approvalId: string | null;
}): ChainContent {
  return {
    at: finite(entry.at),
    caller_kind: text(entry.callerKind),
    caller_id: text(entry.callerId),
    session_id: textOrNull(entry.sessionId),
    tool: text(entry.tool),
    tier: textOrNull(entry.tier),
    args: canonicalJson(entry.args ?? {}) ?? 'null',
    target: entry.target === null || entry.target === undefined ? null : (canonicalJson(entry.target) ?? null),
    decision: text(entry.decision),
    outcome: text(entry.outcome),
    duration_ms: finite(entry.durationMs),
    error: textOrNull(entry.error),
    approval_id: textOrNull(entry.approvalId),
  };
}

/**
 * A row's columns but id and the two hashes, in one fixed order: the order the hash covers them,
 * and the order both engines' INSERT statements list them in (as positional parameters).
 */
export function chainColumns(row: ChainContent): (string | number | null)[] {
  return [
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
  ];
}

/** The hash of one row: every column but id and hash, in a fixed order, chained to `prevHash`. */
export function rowHash(prevHash: string, row: ChainContent): string {
  // Every member is a string, number or null (args and target are already canonical JSON text),
  // so plain JSON.stringify of this fixed-order array is canonical.
  return hexSha256(JSON.stringify([prevHash, ...chainColumns(row)]));
}

/**
 * Walks the whole chain in id order and collects every bad row: a gap in the ids (deleted rows),
 * a row whose link does not match the previous row's hash (inserted or re-hashed), a row whose
 * content does not match its hash (edited), and rows past or short of the recorded head.
 * It never stops at the first problem, so a second tampering is not hidden behind the first.
 */
export function verifyChain(
  rows: Iterable<ChainRow>,
  head: { id: number; hash: string } | undefined,
): AuditVerification {
  const ranges: BrokenRange[] = [];
  let omitted = 0;
  let badRows = 0;
  let lastMarked = 0;
  const mark = (from: number, last: number, reason: string): void => {
    // A row already reported for another cause is not counted twice.
    const first = Math.max(from, lastMarked + 1);
    if (first > last) return;
    lastMarked = last;
    badRows += last - first + 1;
    const open = ranges.at(-1);
    if (open && open.reason === reason && open.last === first - 1 && omitted === 0) {
      open.last = last;
      open.count = last - open.first + 1;
    } else if (ranges.length < MAX_RANGES) {
      ranges.push({ first, last, count: last - first + 1, reason });
    } else {
      omitted += 1;
    }
  };

  let prevHash = GENESIS_HASH;
  let prevId = 0;
  let count = 0;
  for (const raw of rows) {
    count += 1;
    const gap = raw.id !== prevId + 1;
    if (gap) mark(prevId + 1, raw.id - 1, 'missing (deleted)');
    const { id: _id, prev_hash: link, hash, ...content } = raw;
    // After a gap the link necessarily points at a deleted row; the gap already says so.
    if (!gap && link !== prevHash) mark(raw.id, raw.id, 'its link to the previous row does not match (inserted)');
    else if (rowHash(link, content) !== hash) mark(raw.id, raw.id, 'its content does not match its hash (edited)');
    prevHash = hash;
    prevId = raw.id;
  }

  let headProblem: string | null = null;
  if (head === undefined) {
    if (count > 0) headProblem = 'the recorded chain head is missing';
  } else if (head.id > prevId) {
    mark(prevId + 1, head.id, 'missing (deleted after the last row)');
  } else if (head.id < prevId) {
    mark(head.id + 1, prevId, 'past the recorded head (appended outside vigil)');
  } else if (head.hash !== prevHash) {
    mark(prevId, prevId, 'its hash is not the recorded head (re-hashed)');
  }

  if (ranges.length === 0 && headProblem === null) return { ok: true, rows: count };
  const first = ranges[0];
  return {
    ok: false,
    rows: count,
    firstBadId: first ? first.first : null,
    reason: first ? describeRange(first) : (headProblem ?? ''),
    badRows,
    ranges,
    rangesOmitted: omitted,
  };
}

/** One line for a range: "rows 6–7 (2): missing (deleted)". */
export function describeRange(r: BrokenRange): string {
  return `${r.count === 1 ? `row ${r.first}` : `rows ${r.first}–${r.last} (${r.count})`}: ${r.reason}`;
}
