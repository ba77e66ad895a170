/**
 * The asynchronous store ports (issue 14): one interface per store that `createStores` returns,
 * with the same method names, arguments and results as the synchronous SQLite stores, except
 * that every method returns a Promise. Two adapters implement them: sqlite-ports.ts (wraps the
 * existing stores, unchanged) and pg/stores.ts (PostgreSQL). Switching a call site from
 * `stores.x.m(...)` to `ports.x.m(...)` is therefore adding `await`.
 *
 * The ports are derived from the synchronous stores' own types with `Async`, so a store method
 * added or changed there shows up here (and fails to compile in the PostgreSQL adapter until it
 * is written) instead of drifting silently. Two methods differ in shape, for reasons below:
 * `events.appendWith` and `maintenance.optimize`.
 */
import type { AuditStore } from './audit.js';
import type { AuditReads } from './audit-reads.js';
import type { EventStore } from './events.js';
import type { PreferenceStore } from './preferences.js';
import type { ApprovalStore } from './approvals.js';
import type { MonitorStore } from './monitor.js';
import type { OutboxStore } from './outbox.js';
import type { SampleStore } from './samples.js';
import type { StorageState } from './storage.js';
import type { NewEvent, VigilEvent } from '../contracts/events.js';

/** `S` with every method returning a Promise of what it returned. */
export type Async<S> = {
  [K in keyof S]: S[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/** `appendMany` stays inside the SQLite adapter: it is how that adapter group-commits `append`. */
export type AuditPort = Async<Omit<AuditStore, 'appendMany'> & AuditReads>;
export type PreferencePort = Async<PreferenceStore>;
export type ApprovalPort = Async<ApprovalStore>;
export type MonitorPort = Async<MonitorStore>;
export type OutboxPort = Async<OutboxStore>;
export type SamplePort = Async<SampleStore>;

/**
 * The monitor-store writes that may run inside `EventPort.appendWith`'s transaction. The
 * synchronous `appendWith` relied on the callback closing over a store of the same SQLite
 * handle; with a pool of connections the callback must be handed the transaction's own store,
 * so it receives one: `(m) => m.tryOpenIncident(n, at)` instead of `() => store.tryOpenIncident(n, at)`.
 */
export type TransactionalMonitor = Pick<MonitorPort, 'tryOpenIncident' | 'resolveIncident' | 'escalateIncident'>;

export type EventPort = Omit<Async<EventStore>, 'appendWith'> & {
  /**
   * Runs `write` against the transaction's monitor store and, when it returns a value (not
   * undefined or false), stores the event made from it in the same transaction: both commit or
   * neither does.
   */
  appendWith<T>(
    write: (monitor: TransactionalMonitor) => Promise<T | undefined | false>,
    eventOf: (value: T) => NewEvent,
    at: number,
  ): Promise<{ value: T; event: VigilEvent } | undefined>;
};

/** Whether the store can take writes right now (disk full, PostgreSQL unreachable). */
export interface StoragePort {
  check(maxAgeMs?: number): Promise<StorageState>;
}

/** The engine's own upkeep, run by the daily schedule (SQLite: PRAGMA optimize; PostgreSQL: ANALYZE). */
export interface MaintenancePort {
  optimize(): Promise<void>;
}

/** Every store port over one database; what `createStores` returns, asynchronous. */
export interface StorePorts {
  audit: AuditPort;
  events: EventPort;
  preferences: PreferencePort;
  approvals: ApprovalPort;
  monitor: MonitorPort;
  outbox: OutboxPort;
  samples: SamplePort;
  storage: StoragePort;
  maintenance: MaintenancePort;
  /** Which engine holds the data, for /healthz and `vigil status`. */
  engine: 'sqlite' | 'postgres';
  /** Releases the engine's connections; the ports are unusable afterwards. */
  close(): Promise<void>;
}
