/**
 * Every store port over one PostgreSQL database (the `postgres://` counterpart of createStores):
 * the same interfaces as the SQLite adapter (sqlite-ports.ts), so callers do not know which
 * engine they use. `fence` is the daemon's leadership (leader.ts) when daemons share the
 * database: lease and action writes then carry its epoch and are refused once it is stale.
 */
import type { StorePorts } from '../ports.js';
import { createPgPool, type Pool } from './pool.js';
import { migratePg } from './schema.js';
import { createPgAudit } from './audit.js';
import { createPgEvents } from './events.js';
import { createPgPreferences } from './preferences.js';
import { createPgApprovals } from './approvals.js';
import { createPgMonitor } from './monitor.js';
import { createPgOutbox } from './outbox.js';
import { createPgSamples, createPgStorageProbe } from './samples.js';
import type { Fence } from './fencing.js';

export interface PgStoreOptions {
  fence?: Fence;
  now?: () => number;
}

/** Builds every port over `pool` (schema already migrated); `close()` ends the pool. */
export function createPgStores(pool: Pool, options: PgStoreOptions = {}): StorePorts {
  return {
    engine: 'postgres',
    audit: createPgAudit(pool),
    events: createPgEvents(pool),
    preferences: createPgPreferences(pool),
    approvals: createPgApprovals(pool),
    monitor: createPgMonitor(pool, options.fence),
    outbox: createPgOutbox(pool),
    samples: createPgSamples(pool),
    storage: createPgStorageProbe(pool, options.now),
    maintenance: {
      /** Refreshes the planner's statistics, as SQLite's PRAGMA optimize does; the daily schedule runs it. */
      optimize: async () => void (await pool.query('ANALYZE')),
    },
    close: () => pool.end(),
  };
}

/** Connects to `url`, brings the schema up to date and builds the ports. */
export async function openPgStores(url: string, options: PgStoreOptions & { maxConnections?: number } = {}) {
  const pool = createPgPool(url, options.maxConnections);
  try {
    await migratePg(pool);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return createPgStores(pool, options);
}
