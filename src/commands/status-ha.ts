/**
 * The high-availability lines of `vigil status`: which engine holds the data and, on a shared
 * PostgreSQL, which daemon leads since when under which epoch, and when each standby last beat.
 * A pure function of the daemons' heartbeats and the time, so what the operator reads is what the
 * tests pin.
 */
import type { DaemonBeat, HaView } from '../db/ha.js';

export interface HaStatusInput {
  engine: 'sqlite' | 'postgres';
  daemons: readonly DaemonBeat[];
  now: number;
  /** A heartbeat older than this is reported as not beating (two leadership intervals or more). */
  staleAfterMs: number;
}

/** How long stopped daemons stay listed: long enough to see a restart, short enough to stay readable. */
export const STOPPED_SHOWN_MS = 60 * 60 * 1000;

const iso = (t: number): string => new Date(t).toISOString();

/** "3 s ago", "2 min ago", "5 h ago": heartbeat ages at a glance. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

function daemonLine(d: DaemonBeat, input: HaStatusInput): string {
  const who = `${d.host} pid ${d.pid}`;
  if (d.role === 'stopped') return `  stopped  ${who} since ${iso(d.since)}`;
  const age = input.now - d.lastBeat;
  const beat = `last heartbeat ${ago(age)}${age > input.staleAfterMs ? ' — not beating (dead, or cut off from PostgreSQL)' : ''}`;
  const epoch = d.role === 'leader' && d.epoch !== null ? ` (epoch ${d.epoch})` : '';
  return `  ${d.role.padEnd(8)} ${who} since ${iso(d.since)}${epoch}, ${beat}`;
}

/** The lines, first the engine, then one per daemon: the leader first, then standbys, then recently stopped. */
export function haStatusLines(input: HaStatusInput): string[] {
  if (input.engine === 'sqlite') return ['database: sqlite (one daemon, no standby)'];
  const order = { leader: 0, standby: 1, stopped: 2 } as const;
  const shown = input.daemons
    .filter((d) => d.role !== 'stopped' || input.now - d.since <= STOPPED_SHOWN_MS)
    .sort((a, b) => order[a.role] - order[b.role] || b.lastBeat - a.lastBeat);
  const running = shown.filter((d) => d.role !== 'stopped');
  const lines = [`database: postgres, shared by ${running.length} daemon${running.length === 1 ? '' : 's'}`];
  const leading = running.filter((d) => d.role === 'leader' && input.now - d.lastBeat <= input.staleAfterMs);
  if (leading.length === 0) lines.push('  no daemon leads: nothing acts on incidents until one takes the lock');
  lines.push(...shown.map((d) => daemonLine(d, input)));
  return lines;
}

/**
 * The lines for this process's view: a heartbeat is stale after three intervals (the leader's
 * lock is freed after two). PostgreSQL that cannot be read is one line saying so, not a failure.
 */
export async function haStatusOf(ha: HaView, intervalMs: number, now: () => number): Promise<string[]> {
  if (ha.engine === 'sqlite') return haStatusLines({ engine: 'sqlite', daemons: [], now: now(), staleAfterMs: 0 });
  let daemons: DaemonBeat[];
  try {
    daemons = await ha.daemons();
  } catch (err) {
    return [`database: postgres, heartbeats unreadable: ${err instanceof Error ? err.message : String(err)}`];
  }
  return haStatusLines({ engine: 'postgres', daemons, now: now(), staleAfterMs: 3 * intervalMs });
}
