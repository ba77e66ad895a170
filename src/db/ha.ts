/**
 * This process's place among daemons sharing one database (issue 14), as the daemon, `/healthz`,
 * `/metrics`, `vigil status` and the dashboard read it. With SQLite a single daemon always leads
 * (`single`); with PostgreSQL the leadership of pg/leader.ts decides (`leader` or `standby`), and
 * a process that never competes for it (`vigil mcp`, `vigil status`) is a standby for good.
 * The PostgreSQL side lives in pg/ha.ts, loaded only when `database.url` is set.
 */
import type { Lease } from '../contracts/leases.js';
import type { DaemonBeat } from './pg/leader.js';
import type { Fence } from './pg/fencing.js';

export type { DaemonBeat } from './pg/leader.js';

export type HaRole = 'single' | 'leader' | 'standby';

/** The read-only view: what other modules (status, dashboard, metrics) may rely on. */
export interface HaView {
  readonly engine: 'sqlite' | 'postgres';
  /** `single` (SQLite: always acts), `leader` (acts now) or `standby` (serves, does not act). */
  readonly role: HaRole;
  /** The fencing epoch this daemon leads under; null unless `leader`. */
  readonly epoch: number | null;
  /** When the current role began (ms since the epoch). */
  readonly since: number;
  /** Every daemon's heartbeat on the shared database, newest first; empty with SQLite. */
  daemons(): Promise<DaemonBeat[]>;
}

/** The view plus what the daemon that owns it drives. */
export interface Ha extends HaView {
  /** This daemon's id: its lease-holder id too, so the new leader can tell a dead holder. */
  readonly daemonId: string;
  /** How often it beats; a standby takes over within two of these once the leader is gone. */
  readonly intervalMs: number;
  /** Whether the monitor may act now: `single`, or `leader`. */
  leading(): boolean;
  /** The epoch lease and action writes carry (the stores refuse a stale one). */
  readonly fence: Fence;
  /**
   * A lease-holder liveness check for one lease decision: daemons by their heartbeat, anything
   * else (a `vigil once` process) by `otherwise`. Read fresh for every decision.
   */
  holderAlive(otherwise: (lease: Lease) => boolean): Promise<(lease: Lease) => boolean>;
  /** Told each change of role. */
  onChange(listener: (role: HaRole) => void): () => void;
  /** Starts competing for leadership (PostgreSQL daemons only; otherwise nothing to do). */
  start(): void;
  /** One round now (connect, try the lock, beat); resolves to whether this process leads then. */
  acquire(): Promise<boolean>;
  stop(): Promise<void>;
}

/** SQLite: one daemon per file, always leading. */
export function singleHa(daemonId: string, now: () => number, intervalMs = 0): Ha {
  const since = now();
  return {
    engine: 'sqlite',
    role: 'single',
    epoch: null,
    since,
    daemonId,
    intervalMs,
    daemons: async () => [],
    leading: () => true,
    fence: { epoch: () => null },
    holderAlive: async (otherwise) => otherwise,
    onChange: () => () => undefined,
    start: () => undefined,
    acquire: async () => true,
    stop: async () => undefined,
  };
}
