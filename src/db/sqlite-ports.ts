/**
 * The SQLite adapter of the store ports (ports.ts): the existing synchronous stores, unchanged,
 * behind Promises. Every method calls the synchronous store at once and resolves with its
 * result, so behaviour — transactions, IMMEDIATE locking across processes, error codes — is
 * exactly the embedded default's; the only cost is one resolved Promise per call. The exception
 * is `audit.append`: appends of one event-loop turn are group-committed (group-commit.ts).
 *
 * `events.appendWith` is the one method that cannot simply wrap: its `write` callback is now
 * asynchronous, and better-sqlite3's transaction functions must finish synchronously. It opens
 * the transaction by hand (BEGIN IMMEDIATE … COMMIT) and is serialized within this process, so
 * two appendWith calls never nest. A store call that another async task makes while `write` is
 * awaited runs on the same connection and joins the transaction; the stores' own transactions
 * become savepoints then, so nothing breaks, and `write` awaits only settled Promises of these
 * synchronous stores, so no I/O callback can run in between.
 */
import type { Db } from './database.js';
import { createStores, type Stores } from './stores.js';
import { groupCommit } from './group-commit.js';
import type { AuditEntry } from './audit.js';
import type { Async, StorePorts, TransactionalMonitor } from './ports.js';
import type { NewEvent, VigilEvent } from '../contracts/events.js';

/** Wraps every method of a synchronous store so it resolves with the store's result (or rejects with its error). */
export function promisify<S extends object>(store: S): Async<S> {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(store)) {
    if (typeof fn !== 'function') continue;
    out[name] = (...args: unknown[]) => {
      try {
        return Promise.resolve((fn as (...a: unknown[]) => unknown)(...args));
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
  }
  return out as Async<S>;
}

/** Builds the ports over an open SQLite database; `close()` closes it. */
export function createSqlitePorts(db: Db, stores: Stores = createStores(db)): StorePorts {
  const monitor = promisify(stores.monitor);
  const events = promisify(stores.events);
  // Every executeTool call appends a row: calls that end in the same turn share one commit.
  const audit = groupCommit(
    (entries: AuditEntry[]) => stores.audit.appendMany(entries),
    (entry: AuditEntry) => stores.audit.append(entry),
  );
  // One appendWith at a time in this process: BEGIN cannot nest on one connection.
  let queue: Promise<unknown> = Promise.resolve();

  async function appendWithNow<T>(
    write: (m: TransactionalMonitor) => Promise<T | undefined | false>,
    eventOf: (value: T) => NewEvent,
    at: number,
  ): Promise<{ value: T; event: VigilEvent } | undefined> {
    db.exec('BEGIN IMMEDIATE');
    try {
      const value = await write(monitor);
      const done =
        value === undefined || value === false ? undefined : { value, event: stores.events.append(eventOf(value), at) };
      db.exec('COMMIT');
      return done;
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
  }

  return {
    engine: 'sqlite',
    audit: { ...promisify(stores.audit), append: (entry) => audit.add(entry) },
    events: {
      ...events,
      appendWith<T>(
        write: (m: TransactionalMonitor) => Promise<T | undefined | false>,
        eventOf: (value: T) => NewEvent,
        at: number,
      ) {
        const run = queue.then(() => appendWithNow(write, eventOf, at));
        queue = run.catch(() => undefined);
        return run;
      },
    },
    preferences: promisify(stores.preferences),
    approvals: promisify(stores.approvals),
    monitor,
    outbox: promisify(stores.outbox),
    samples: promisify(stores.samples),
    storage: promisify(stores.storage),
    maintenance: promisify(stores.maintenance),
    async close() {
      await queue;
      audit.flush();
      if (db.open) db.close();
    },
  };
}
