/**
 * The monitor's persisted state (migration 2), one module per table group: incidents
 * (incidents.ts), autonomy actions — also the attempt, cooldown and daily-cap counters, so a
 * restart or a second process cannot reset them (actions.ts) — remediation leases for the blast
 * radius (leases.ts), silences (silences.ts) and the last run of each schedule (monitor-runs.ts).
 * `createMonitorStore` composes them into the one store the monitor, its tools and the API use.
 */
import type { Db } from './database.js';
import { createAttemptCounter, createIncidentStore } from './incidents.js';
import { createActionStore } from './actions.js';
import { createLeaseStore } from './leases.js';
import { createSilenceStore } from './silences.js';
import { createMonitorRunStore } from './monitor-runs.js';

export type { AutonomyAction, ActionFinish } from './actions.js';
export type { Silence } from './silences.js';
export type { MonitorRun } from './monitor-runs.js';
export type { LeaseGrant } from './leases.js';

/** Creates the monitor store over an open database (migration 2 applied). */
export function createMonitorStore(db: Db) {
  return {
    ...createIncidentStore(db),
    ...createActionStore(db, createAttemptCounter(db)),
    ...createLeaseStore(db),
    ...createSilenceStore(db),
    ...createMonitorRunStore(db),
  };
}

export type MonitorStore = ReturnType<typeof createMonitorStore>;
