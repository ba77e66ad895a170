/**
 * Opens PostgreSQL for `database.url` (see ../open.ts): the pool, the migrations, this process's
 * HA view and the stores over them. Loaded only when the URL is set, so an SQLite daemon never
 * loads `pg`.
 */
import type { StorePorts } from '../ports.js';
import type { Ha } from '../ha.js';
import { createPgPool } from './pool.js';
import { migratePg } from './schema.js';
import { createPgStores } from './stores.js';
import { postgresHa } from './ha.js';

export interface PgOpenOptions {
  url: string;
  daemonId: string;
  host: string;
  now: () => number;
  compete: boolean;
  intervalMs: number;
}

/** Opens the pool and migrates; the caller closes both (`ha.stop()`, then `stores.close()`). */
export async function openPostgres(opts: PgOpenOptions): Promise<{ stores: StorePorts; ha: Ha }> {
  const pool = createPgPool(opts.url);
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
    url: opts.url,
    daemonId: opts.daemonId,
    host: opts.host,
    pid: process.pid,
    intervalMs: opts.intervalMs,
    now: opts.now,
    compete: opts.compete,
  });
  // Only a competing daemon fences its writes: a process that never leads writes no lease or action.
  const stores = createPgStores(pool, { now: opts.now, ...(opts.compete ? { fence: ha.fence } : {}) });
  return { stores, ha };
}
