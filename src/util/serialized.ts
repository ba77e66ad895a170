/**
 * A task that never overlaps itself and never piles up: a call made while a run waits to start
 * shares that run; a call made while one runs asks for one more run after it. For "do it again
 * now" requests (deliver new events, send queued notifications) from timers and writers alike.
 */
export interface Serialized<T> {
  /** Runs the task after any run under way, or joins the run already waiting to start. */
  run(): Promise<T>;
  /** Runs `first` before any run asked for later (and after any asked for earlier); its failure stays its own. */
  before(first: () => Promise<unknown>): void;
  /** Resolves once everything asked for so far has ended, however it ended. */
  idle(): Promise<void>;
}

export function serialized<T>(task: () => Promise<T>): Serialized<T> {
  let tail: Promise<unknown> = Promise.resolve();
  let waiting: Promise<T> | undefined;
  return {
    run() {
      if (waiting) return waiting;
      const next = tail.then(() => {
        waiting = undefined;
        return task();
      });
      waiting = next;
      tail = next.catch(() => undefined);
      return next;
    },
    before(first) {
      tail = tail.then(first).catch(() => undefined);
    },
    idle: () => tail.then(() => undefined),
  };
}
