/**
 * Every table store over one database, built once by `createStores` and passed down (tool handlers
 * get them through `ctx.deps.stores`). Nothing outside src/db holds the raw handle or writes SQL,
 * and no store is cached per connection: whoever needs one is handed this object.
 */
import type { Db } from './database.js';
import { createAuditStore } from './audit.js';
import { createAuditReads } from './audit-reads.js';
import { createEventStore } from './events.js';
import { createPreferenceStore } from './preferences.js';
import { createApprovalStore } from './approvals.js';
import { createMonitorStore } from './monitor.js';
import { createOutboxStore } from './outbox.js';
import { createSampleStore } from './samples.js';
import { createStorageProbe } from './storage.js';

/** Builds every store over `db`; the caller keeps `db` to close it. */
export function createStores(db: Db) {
  return {
    // One surface for the audit table: appends and the chain (audit.ts) plus its other readers.
    audit: { ...createAuditStore(db), ...createAuditReads(db) },
    events: createEventStore(db),
    preferences: createPreferenceStore(db),
    approvals: createApprovalStore(db),
    monitor: createMonitorStore(db),
    outbox: createOutboxStore(db),
    samples: createSampleStore(db),
    // Whether the database can take writes (a full disk): actions are refused and /healthz says why.
    storage: createStorageProbe(db),
    maintenance: {
      /** SQLite's own upkeep (refreshes the planner's statistics where they went stale); the daily schedule runs it. */
      optimize: (): void => void db.pragma('optimize'),
    },
  };
}

export type Stores = ReturnType<typeof createStores>;
