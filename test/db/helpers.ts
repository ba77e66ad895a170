/** Shared helpers for the database tests: a real SQLite file in a temp dir per test, closed and removed after it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openDatabase, type Db } from '../../src/db/database.js';
import type { AuditEntry } from '../../src/db/audit.js';

const dirs: string[] = [];
const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh database file path in a temp dir removed after the test. */
export function tempDbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-db-'));
  dirs.push(dir);
  return join(dir, 'vigil.db');
}

/** Opens `file` (as a separate process would) and closes it after the test. */
export function openTracked(file: string): Db {
  const db = openDatabase(file);
  open.push(db);
  return db;
}

/** A plausible audit entry; `n` varies its content. */
export function entry(n: number, over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at: 1_700_000_000_000 + n,
    callerKind: n % 3 === 0 ? 'monitor' : n % 3 === 1 ? 'assistant' : 'operator',
    callerId: `caller-${n}`,
    sessionId: n % 2 === 0 ? null : `session-${n}`,
    tool: n % 2 === 0 ? 'start_guest' : 'list_nodes',
    tier: n % 2 === 0 ? 'yellow' : 'green',
    args: { vmid: 100 + n, node: 'pve1' },
    target: n % 2 === 0 ? { node: 'pve1', vmid: 100 + n } : null,
    decision: 'allowed',
    outcome: 'ok',
    durationMs: 1.25 + n,
    error: null,
    approvalId: null,
    ...over,
  };
}
