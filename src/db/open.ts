/**
 * Opens the configured database (issue 14): `database.url` set → PostgreSQL, shared by several
 * daemons; absent → the SQLite file at `database.path`, as before. Returns the store ports and
 * this process's HA view over them (ha.ts).
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { openDatabase } from './database.js';
import { createSqlitePorts } from './sqlite-ports.js';
import type { StorePorts } from './ports.js';
import { createPgPool } from './pg/pool.js';
import { migratePg } from './pg/schema.js';
import { createPgStores } from './pg/stores.js';
import { postgresHa, singleHa, type Ha } from './ha.js';

export interface OpenOptions {
  database: { path: string; url?: string };
  now: () => number;
  /** Whether this process competes for leadership (the daemon; not `vigil mcp` or `vigil status`). */
  compete: boolean;
  /** The heartbeat interval: a fraction of the critical interval. */
  intervalMs: number;
}

/** A unique id for this process: host, pid and a random part (the lease-holder id format). */
export function newDaemonId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** Opens the stores and the HA view; the caller closes both (`ha.stop()`, then `stores.close()`). */
export async function openStorage(opts: OpenOptions): Promise<{ stores: StorePorts; ha: Ha }> {
  const daemonId = newDaemonId();
  const url = opts.database.url;
  if (url === undefined) {
    return {
      stores: createSqlitePorts(openDatabase(opts.database.path)),
      ha: singleHa(daemonId, opts.now, opts.intervalMs),
    };
  }
  const pool = createPgPool(url);
  try {
    await migratePg(pool);
  } catch (err) {
    await pool.end();
    // The URL is not repeated: it holds the password.
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(
      `database.url: cannot open the PostgreSQL database (${why}); check that the server runs and accepts this host, and the URL's host, port, database, user and password`,
      { cause: err },
    );
  }
  const ha = postgresHa(pool, {
    url,
    daemonId,
    host: hostname(),
    pid: process.pid,
    intervalMs: opts.intervalMs,
    now: opts.now,
    compete: opts.compete,
  });
  // Only a competing daemon fences its writes: a process that never leads writes no lease or action.
  const stores = createPgStores(pool, { now: opts.now, ...(opts.compete ? { fence: ha.fence } : {}) });
  return { stores, ha };
}
