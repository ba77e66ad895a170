/** All table stores over one database, built once and passed down. */
import type { Db } from './database.js';
import { createAuditStore } from './audit.js';
import { createEventStore } from './events.js';
import { createPreferenceStore } from './preferences.js';
import { createApprovalStore } from './approvals.js';

/** Builds every store over `db`. */
export function createStores(db: Db) {
  return {
    db,
    audit: createAuditStore(db),
    events: createEventStore(db),
    preferences: createPreferenceStore(db),
    approvals: createApprovalStore(db),
  };
}

export type Stores = ReturnType<typeof createStores>;
