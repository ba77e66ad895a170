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
import { singleHa, type Ha } from './ha.js';

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
  // PostgreSQL's modules (and `pg`) load only when the URL asks for them.
  const { openPostgres } = await import('./pg/open.js');
  return openPostgres({
    url,
    daemonId,
    host: hostname(),
    now: opts.now,
    compete: opts.compete,
    intervalMs: opts.intervalMs,
  });
}
