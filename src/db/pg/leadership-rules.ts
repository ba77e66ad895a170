/**
 * The pure decisions of leadership between daemons sharing one PostgreSQL: whether a write that
 * carries an epoch may happen, how a daemon's role changes on what it observes of its lock
 * connection, and when a standby tries to take over. leader.ts does the I/O; these decide.
 */

/** A daemon's view of its own role; `highest` is the largest epoch it has ever held. */
export interface LeadershipState {
  leading: boolean;
  /** The epoch it leads under, null while it does not lead. */
  epoch: number | null;
  highest: number;
}

export type LeadershipEvent =
  /** It took the advisory lock and bumped the stored epoch to `epoch`. */
  | { kind: 'acquired'; epoch: number }
  /** Its lock connection failed, ended or a query on it failed: the lock may be gone. */
  | { kind: 'lost' }
  /** A heartbeat on the lock connection succeeded: nothing changes. */
  | { kind: 'beat' };

export const STANDBY: LeadershipState = { leading: false, epoch: null, highest: 0 };

/** Whether a write carrying `carried` may run when the stored epoch is `stored`: only the current leader's. */
export function mayWrite(carried: number | null, stored: number): boolean {
  return carried !== null && carried === stored;
}

/**
 * The next role. Losing the lock connection ends leadership at once (fail safe: a daemon that
 * cannot prove it holds the lock must not act). An acquisition counts only with an epoch above
 * every one seen before; anything else is a stale answer and leaves the daemon standing by.
 */
export function nextLeadership(state: LeadershipState, event: LeadershipEvent): LeadershipState {
  switch (event.kind) {
    case 'lost':
      return { leading: false, epoch: null, highest: state.highest };
    case 'acquired':
      if (!Number.isSafeInteger(event.epoch) || event.epoch <= state.highest) {
        return { leading: false, epoch: null, highest: state.highest };
      }
      return { leading: true, epoch: event.epoch, highest: event.epoch };
    case 'beat':
      return state;
  }
}

/** Whether a standby should try the lock now: never while leading; otherwise once per interval. */
export function takeoverDue(
  state: LeadershipState,
  lastAttemptAt: number | null,
  now: number,
  intervalMs: number,
): boolean {
  if (state.leading) return false;
  return lastAttemptAt === null || now - lastAttemptAt >= intervalMs;
}

/**
 * Whether a daemon's heartbeat is too old for it to be alive (for `vigil status`): more than two
 * intervals, the time after which the server also ends its idle lock session.
 */
export function heartbeatStale(lastBeat: number, now: number, intervalMs: number): boolean {
  return now - lastBeat > 2 * intervalMs;
}

/** What `holderAlive` reads of a daemon's heartbeat. */
export interface BeatView {
  daemonId: string;
  role: 'leader' | 'standby' | 'stopped';
  lastBeat: number;
}

/**
 * Liveness of a remediation lease's holder across daemons, for `acquireLease`'s `alive`: a holder
 * that is a known daemon lives while its heartbeat is fresh and it has not stopped; one with a
 * stale beat is dead, so the new leader recovers its leases instead of waiting for them to expire.
 * Holders that are no daemon (a `vigil` CLI process) are left to `otherwise` (the pid check).
 * Daemons use their daemon id as their lease holder id for this to apply.
 */
export function holderAlive<L extends { holder: string }>(
  beats: readonly BeatView[],
  now: number,
  intervalMs: number,
  otherwise: (lease: L) => boolean,
): (lease: L) => boolean {
  const byId = new Map(beats.map((b) => [b.daemonId, b]));
  return (lease) => {
    const beat = byId.get(lease.holder);
    if (!beat) return otherwise(lease);
    return beat.role !== 'stopped' && !heartbeatStale(beat.lastBeat, now, intervalMs);
  };
}
