/**
 * Telling the operator that the shared database (PostgreSQL) was unreachable, once it is back:
 * while it is gone nothing can be queued (the outbox lives in it), and both daemons refuse to act,
 * so the first thing worth saying afterwards is how long vigil was blind. The daemon that leads
 * after the outage sends it; a standby forgets its own report after a grace period, since the
 * leader saw the same outage.
 */
import type { Logger } from 'pino';
import type { Notifier } from './ports.js';

export interface OutageState {
  /** When the first failed probe of the current outage ran; null while reachable. */
  downSince: number | null;
  /** An outage that ended and has not been reported yet. */
  due: { from: number; to: number } | null;
}

export const NO_OUTAGE: OutageState = { downSince: null, due: null };

/** The state after one probe at `at`: an outage starts with the first failure and ends with the first success. */
export function afterProbe(state: OutageState, ok: boolean, at: number): OutageState {
  if (!ok) return { ...state, downSince: state.downSince ?? at };
  if (state.downSince === null) return state;
  return { downSince: null, due: { from: state.due?.from ?? state.downSince, to: at } };
}

/**
 * Whether to send the due report now: the leader sends it; a standby keeps it for `graceMs` after
 * the outage ended (it may become the leader) and then drops it.
 */
export function reportDecision(
  state: OutageState,
  leading: boolean,
  now: number,
  graceMs: number,
): { send: { from: number; to: number } | null; state: OutageState } {
  if (!state.due) return { send: null, state };
  if (leading) return { send: state.due, state: { ...state, due: null } };
  if (now - state.due.to > graceMs) return { send: null, state: { ...state, due: null } };
  return { send: null, state };
}

/** Watches the database every `intervalMs` and queues one escalation per outage, once it is back. */
export function startOutageWatch(deps: {
  check: () => Promise<{ ok: boolean; reason?: string }>;
  leading: () => boolean;
  notifier: Notifier;
  logger: Pick<Logger, 'warn' | 'error'>;
  now: () => number;
  intervalMs: number;
}): { stop(): void } {
  let state = NO_OUTAGE;
  let busy = false;
  const tick = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      const probe = await deps.check().catch((err: unknown) => ({ ok: false, reason: String(err) }));
      const at = deps.now();
      const was = state.downSince;
      state = afterProbe(state, probe.ok, at);
      if (was === null && state.downSince !== null) deps.logger.error({ reason: probe.reason }, 'database unreachable');
      const d = reportDecision(state, deps.leading(), at, 3 * deps.intervalMs);
      state = d.state;
      if (!d.send) return;
      const seconds = Math.round((d.send.to - d.send.from) / 1000);
      const since = new Date(d.send.from).toISOString();
      deps.logger.warn({ seconds }, 'database reachable again');
      await deps.notifier.enqueue({
        kind: 'escalation',
        incidentKey: 'vigil.database',
        subject: `vigil was without its database for ${seconds} s`,
        body: `PostgreSQL was unreachable from ${since} for about ${seconds} s. Meanwhile no daemon acted (every action needs the database to be recorded) and nothing could be queued: incidents that happened then were seen only when it came back. Check the database server and the network to it.`,
      });
    } catch (err) {
      deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'database watch failed');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), deps.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
