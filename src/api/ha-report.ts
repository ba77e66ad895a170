/**
 * What the dashboard's overview shows about high availability: the engine, this daemon's role
 * (single on SQLite, leader or standby on a shared PostgreSQL) with its epoch and since, and every
 * daemon's heartbeat, so the operator sees which one leads and when the standby last beat.
 */
import type { DaemonBeat, HaView } from '../db/ha.js';

export interface HaReport {
  engine: 'sqlite' | 'postgres';
  /** This daemon. */
  role: 'single' | 'leader' | 'standby';
  epoch: number | null;
  since: number;
  /** Every daemon's heartbeat, newest beat first; empty on SQLite or when PostgreSQL cannot be read. */
  daemons: DaemonBeat[];
  /** Why `daemons` is empty on PostgreSQL, when reading it failed. */
  error?: string;
}

/** Reads the view once; a failed heartbeat read is reported in the answer, not thrown (PostgreSQL may be down). */
export async function haReport(view: HaView): Promise<HaReport> {
  const base = { engine: view.engine, role: view.role, epoch: view.epoch, since: view.since };
  if (view.engine === 'sqlite') return { ...base, daemons: [] };
  try {
    return { ...base, daemons: await view.daemons() };
  } catch (err) {
    return {
      ...base,
      daemons: [],
      error: `heartbeats unreadable: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}
