/**
 * The lab's timed transitions (boots, task ends, HA actions) on an injectable clock: a queue that a
 * timer drains, and that every read drains too, so a test with a fake `now()` can move time
 * without waiting.
 */

/** Creates the queue. `now` is milliseconds since the epoch. */
export function createLabClock(now: () => number) {
  const pending: { at: number; seq: number; fn: () => void }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let seq = 0;
  let closed = false;

  /** Applies every transition already due, oldest first (ties in the order they were scheduled). */
  function tick(): void {
    for (;;) {
      const t = now();
      let idx = -1;
      for (let i = 0; i < pending.length; i++) {
        const p = pending[i]!;
        if (
          p.at <= t &&
          (idx < 0 || p.at < pending[idx]!.at || (p.at === pending[idx]!.at && p.seq < pending[idx]!.seq))
        )
          idx = i;
      }
      if (idx < 0) return;
      const [p] = pending.splice(idx, 1);
      p!.fn();
    }
  }

  /** Runs `fn` after `delayMs` of lab time. After `close()` it still applies on the next read. */
  function schedule(delayMs: number, fn: () => void): void {
    pending.push({ at: now() + delayMs, seq: seq++, fn });
    if (closed) return;
    const t = setTimeout(
      () => {
        timers.delete(t);
        tick();
      },
      Math.max(0, delayMs),
    );
    t.unref();
    timers.add(t);
  }

  /** Stops the timers; pending transitions still apply on the next read. */
  function close(): void {
    closed = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
  }

  return { tick, schedule, close };
}
