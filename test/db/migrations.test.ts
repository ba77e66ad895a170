// Pins how the database is opened: WAL mode, user_version equal to the number of migrations, and reopening applies nothing twice.
import { describe, expect, it } from 'vitest';
import { openDatabase, migrate } from '../../src/db/database.js';
import { MIGRATIONS } from '../../src/db/migrations.js';
import { createAuditStore } from '../../src/db/audit.js';
import { entry, openTracked, tempDbPath } from './helpers.js';

const tables = (db: ReturnType<typeof openDatabase>) =>
  (
    db
      .prepare(
        `SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name`,
      )
      .all() as { name: string }[]
  ).map((r) => r.name);

describe('openDatabase and migrations', () => {
  it('opens in WAL mode with a busy timeout and the schema at the latest version', () => {
    const db = openTracked(tempDbPath());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(tables(db)).toEqual(expect.arrayContaining(['approvals', 'audit', 'events', 'preferences']));
  });

  it('reopens idempotently: same version, same schema, data kept', () => {
    const file = tempDbPath();
    const first = openDatabase(file);
    createAuditStore(first).append(entry(1));
    const schema = tables(first);
    first.close();

    const again = openTracked(file);
    expect(again.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(tables(again)).toEqual(schema);
    expect(createAuditStore(again).verify()).toEqual({ ok: true, rows: 1 });
    migrate(again);
    expect(again.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });

  it('creates the directory of the database file when it is missing', () => {
    const file = tempDbPath().replace(/vigil\.db$/, 'nested/deeper/vigil.db');
    const db = openTracked(file);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });
});

describe('audit indexes', () => {
  it('finds intended guest stops through the partial index, not a scan of the whole log', () => {
    const db = openDatabase(':memory:');
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT at, args FROM audit WHERE tool IN ('stop_guest', 'shutdown_guest') AND decision = 'allowed' AND at >= ? ORDER BY at, id`,
      )
      .all(0) as Array<{ detail: string }>;
    expect(plan.map((r) => r.detail).join(' ')).toMatch(/USING INDEX audit_guest_stops/);
    db.close();
  });
});
