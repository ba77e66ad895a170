// Pins the audit log's tamper evidence: any edit, deletion or forged row breaks verify at the first bad row; concurrent writers keep one valid chain.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createAuditStore, GENESIS_HASH } from '../../src/db/audit.js';
import { canonicalJson, sha256 } from '../../src/util/canonical.js';
import type { Db } from '../../src/db/database.js';
import { entry, openTracked, tempDbPath } from './helpers.js';

const ROWS = 6;

function seeded(rows = ROWS): { db: Db; audit: ReturnType<typeof createAuditStore> } {
  const db = openTracked(tempDbPath());
  const audit = createAuditStore(db);
  for (let n = 1; n <= rows; n += 1) audit.append(entry(n));
  return { db, audit };
}

/** Runs `tamper` inside a savepoint, returns what verify says, and undoes the change. */
function verifyAfter(db: Db, audit: ReturnType<typeof createAuditStore>, tamper: () => void) {
  db.exec('SAVEPOINT tamper');
  try {
    tamper();
    return audit.verify();
  } finally {
    db.exec('ROLLBACK TO tamper; RELEASE tamper');
  }
}

type Raw = Record<string, string | number | null>;

/** A different value of the same kind for one column (so the edit is a real edit). */
function altered(column: string, value: string | number | null): string | number | null {
  if (value === null) return column === 'target' ? '{}' : 'forged';
  if (typeof value === 'number') return value + 1;
  if (column === 'args' || column === 'target')
    return canonicalJson({ ...(JSON.parse(value) as object), forged: true });
  if (column === 'prev_hash' || column === 'hash') return sha256(value);
  return `${value}x`;
}

/** What the chain hashes for a row, as the audit module defines it (every column but id and hash). */
function hashOf(prevHash: string, row: Raw): string {
  const cols = [
    'at',
    'caller_kind',
    'caller_id',
    'session_id',
    'tool',
    'tier',
    'args',
    'target',
    'decision',
    'outcome',
    'duration_ms',
    'error',
    'approval_id',
  ];
  return sha256(canonicalJson([prevHash, ...cols.map((c) => row[c])]));
}

describe('audit chain', () => {
  it('appends rows with increasing ids, links each to the previous hash and verifies', () => {
    const { audit } = seeded();
    expect(audit.verify()).toEqual({ ok: true, rows: ROWS });
    const rows = audit.list({ limit: 100 }).reverse();
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
    rows.slice(1).forEach((r, i) => expect(r.prevHash).toBe(rows[i]!.hash));
    expect(rows[1]).toMatchObject({
      callerKind: 'operator',
      args: { node: 'pve1', vmid: 102 },
      target: { node: 'pve1', vmid: 102 },
    });
  });

  it('verifies an empty log', () => {
    const db = openTracked(tempDbPath());
    expect(createAuditStore(db).verify()).toEqual({ ok: true, rows: 0 });
  });

  it('names the edited row when any column of any row is edited', () => {
    const { db, audit } = seeded();
    const columns = (db.prepare('SELECT name FROM pragma_table_info(?)').all('audit') as { name: string }[])
      .map((c) => c.name)
      .filter((c) => c !== 'id');
    expect(columns).toHaveLength(15);
    for (let id = 1; id <= ROWS; id += 1) {
      const row = db.prepare('SELECT * FROM audit WHERE id = ?').get(id) as Raw;
      for (const column of columns) {
        const result = verifyAfter(db, audit, () => {
          db.prepare(`UPDATE audit SET "${column}" = ? WHERE id = ?`).run(altered(column, row[column]!), id);
        });
        expect({ column, id, result }).toMatchObject({ column, id, result: { ok: false, firstBadId: id } });
      }
    }
    expect(audit.verify().ok).toBe(true);
  });

  it('names the deleted row when a middle row is deleted', () => {
    const { db, audit } = seeded();
    for (const id of [1, 3, 5]) {
      const result = verifyAfter(db, audit, () => db.prepare('DELETE FROM audit WHERE id = ?').run(id));
      expect(result).toMatchObject({ ok: false, firstBadId: id, badRows: 1 });
      if (!result.ok) expect(result.reason).toBe(`row ${id}: missing (deleted)`);
    }
  });

  it('names the first deleted row when the newest rows are deleted', () => {
    const { db, audit } = seeded();
    for (const from of [ROWS, ROWS - 2, 1]) {
      const result = verifyAfter(db, audit, () => db.prepare('DELETE FROM audit WHERE id >= ?').run(from));
      expect(result).toMatchObject({ ok: false, firstBadId: from });
    }
  });

  it('names a forged row appended with a made-up hash', () => {
    const { db, audit } = seeded();
    const last = db.prepare('SELECT * FROM audit WHERE id = ?').get(ROWS) as Raw;
    const result = verifyAfter(db, audit, () => {
      db.prepare(
        `INSERT INTO audit (at, caller_kind, caller_id, session_id, tool, tier, args, target, decision, outcome, duration_ms, error, approval_id, prev_hash, hash)
         VALUES (?, 'operator', 'mallory', NULL, 'stop_guest', 'red', '{}', NULL, 'allowed', 'ok', 1, NULL, NULL, ?, ?)`,
      ).run(Number(last.at) + 1, last.hash, sha256('forged'));
    });
    expect(result).toMatchObject({ ok: false, firstBadId: ROWS + 1 });
  });

  it('names a forged row appended with a correctly computed hash (caught by the recorded head)', () => {
    const { db, audit } = seeded();
    const last = db.prepare('SELECT * FROM audit WHERE id = ?').get(ROWS) as Raw;
    const forged: Raw = {
      at: Number(last.at) + 1,
      caller_kind: 'operator',
      caller_id: 'mallory',
      session_id: null,
      tool: 'stop_guest',
      tier: 'red',
      args: '{}',
      target: null,
      decision: 'allowed',
      outcome: 'ok',
      duration_ms: 1,
      error: null,
      approval_id: null,
    };
    const result = verifyAfter(db, audit, () => {
      db.prepare(
        `INSERT INTO audit (at, caller_kind, caller_id, session_id, tool, tier, args, target, decision, outcome, duration_ms, error, approval_id, prev_hash, hash)
         VALUES (@at, @caller_kind, @caller_id, @session_id, @tool, @tier, @args, @target, @decision, @outcome, @duration_ms, @error, @approval_id, @prev_hash, @hash)`,
      ).run({ ...forged, prev_hash: last.hash, hash: hashOf(String(last.hash), forged) });
    });
    expect(result).toMatchObject({ ok: false, firstBadId: ROWS + 1 });
  });

  it('reports a missing chain head', () => {
    const { db, audit } = seeded();
    const result = verifyAfter(db, audit, () => db.prepare(`DELETE FROM preferences WHERE key = 'audit.head'`).run());
    expect(result).toMatchObject({ ok: false });
  });

  it('keeps one valid chain when two connections to the same file append interleaved', () => {
    const file = tempDbPath();
    const a = createAuditStore(openTracked(file));
    const b = createAuditStore(openTracked(file));
    const order = Array.from({ length: 60 }, (_, i) => ((i * 7) % 3 === 0 ? a : b));
    const ids = order.map((store, n) => store.append(entry(n)));
    expect(ids).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(a.verify()).toEqual({ ok: true, rows: 60 });
    expect(b.verify()).toEqual({ ok: true, rows: 60 });
  });

  it('keeps one valid chain when two processes append at the same time', async () => {
    const file = tempDbPath();
    createAuditStore(openTracked(file)).append(entry(0));
    const worker = (tag: string) =>
      new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'test/db/append-worker.ts', file, '200', tag], {
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        child.on('error', reject);
        child.on('exit', resolve);
      });
    expect(await Promise.all([worker('p1'), worker('p2')])).toEqual([0, 0]);
    const audit = createAuditStore(openTracked(file));
    expect(audit.verify()).toEqual({ ok: true, rows: 401 });
    const writers = new Set(audit.list({ limit: 1000 }).map((r) => r.callerId));
    expect(writers).toEqual(new Set(['caller-0', 'p1', 'p2']));
  });
});
