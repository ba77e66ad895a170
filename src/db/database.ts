/**
 * Opens vigil's SQLite database: WAL mode so the daemon and a `vigil mcp` process can share it,
 * a busy timeout so concurrent writers wait instead of failing, and numbered migrations.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

/**
 * A LIMIT bound at run time (`?`, or a named parameter). SQLite folds a bare `LIMIT ?` into the
 * query plan with the value bound, so every new binding re-prepares the statement: measured 10×
 * the cost of the query itself on an empty table, ~30 µs per call under load in the daemon. The
 * cast keeps the value out of the plan.
 */
export function boundLimit(param = '?'): string {
  return `LIMIT CAST(${param} AS INTEGER)`;
}

/** Opens (creating if needed) the database at `file` and brings its schema up to date. */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; only a power loss can drop the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

/** Applies every migration newer than the stored `user_version`, each in its own transaction. */
export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const [index, sql] of MIGRATIONS.entries()) {
    const version = index + 1;
    if (version <= current) continue;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    }).immediate();
  }
}
