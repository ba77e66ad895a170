/**
 * The clock around the chaos decisions of demo-chaos.ts. `createChaos` is driven by `tick()` with
 * an injected `now`, so a test can run a simulated day in seconds; `startChaos` only adds timers.
 *
 * Why it cannot stall: a tick first forgets the faults that are gone, then repairs by hand (as an
 * operator would) those left unrepaired for `healAfterMs` — vigil escalated them, or is waiting for
 * an approval nobody gives — and only then picks the next fault among targets the monitor can act
 * on now (`busy`). So outstanding faults never block chaos for longer than `healAfterMs`.
 */
import type { LabState } from '../lab/index.js';
import {
  applyChaos,
  chaosTarget,
  chaosView,
  healChaos,
  pickChaos,
  stillBroken,
  type ChaosAction,
  type ChaosPolicy,
} from './demo-chaos.js';

/** A fault chaos injected, and when. */
export interface ChaosFault {
  action: ChaosAction;
  at: number;
}

export interface ChaosDeps {
  state: LabState;
  now: () => number;
  random?: () => number;
  policy?: Omit<ChaosPolicy, 'avoid' | 'busy'>;
  /** Leave a target alone this long after breaking it. Default 10 min. */
  repeatAfterMs?: number;
  /** Repair a fault by hand when it is still there this long after it was injected. Default 15 min. */
  healAfterMs?: number;
  /** Incident keys the monitor would not act on now (see `busyKeys`); default none. */
  busy?: (now: number) => ReadonlySet<string> | Promise<ReadonlySet<string>>;
  /** Units vigil watches per node; only these are failed. Default: every unit of the lab. */
  watched?: ReadonlyMap<string, readonly string[]>;
  onStrike(action: ChaosAction): void;
  /** A fault repaired by hand after `healAfterMs`. */
  onHeal?(fault: ChaosFault): void;
}

export interface Chaos {
  /** One step: forget repaired faults, heal stale ones, maybe inject one; returns what was injected. */
  tick(): Promise<ChaosAction | null>;
  /** Faults injected and still there. */
  outstanding(): readonly ChaosFault[];
}

/** Creates the chaos driver; nothing happens until `tick()`. */
export function createChaos(deps: ChaosDeps): Chaos {
  const random = deps.random ?? Math.random;
  const repeatAfterMs = deps.repeatAfterMs ?? 600_000;
  const healAfterMs = deps.healAfterMs ?? 900_000;
  let faults: ChaosFault[] = [];
  const struck = new Map<string, number>();
  return {
    async tick() {
      const now = deps.now();
      // Read first: the lab's state is then read and changed with no await in between.
      const busy = (await deps.busy?.(now)) ?? new Set<string>();
      let view = chaosView(deps.state, deps.watched);
      faults = faults.filter((f) => stillBroken(f.action, view));
      const stale = faults.filter((f) => now - f.at >= healAfterMs);
      for (const f of stale) {
        healChaos(deps.state, f.action);
        deps.onHeal?.(f);
      }
      if (stale.length) {
        faults = faults.filter((f) => !stale.includes(f));
        view = chaosView(deps.state, deps.watched);
      }
      for (const [target, at] of struck) if (now - at >= repeatAfterMs) struck.delete(target);
      const action = pickChaos(
        view,
        faults.map((f) => f.action),
        random,
        { ...deps.policy, avoid: new Set(struck.keys()), busy },
      );
      if (!action) return null;
      applyChaos(deps.state, action);
      faults.push({ action, at: now });
      struck.set(chaosTarget(action), now);
      deps.onStrike(action);
      return action;
    },
    outstanding: () => faults,
  };
}

export interface ChaosTimer {
  stop(): void;
}

/** Ticks `chaos` every `intervalMs` (the first after `firstAfterMs`, default one interval). */
export function startChaos(chaos: Chaos, intervalMs: number, firstAfterMs = intervalMs): ChaosTimer {
  let interval: NodeJS.Timeout | undefined;
  // A tick that fails (the database unreachable) is skipped; the next one tries again.
  const tick = () => void chaos.tick().catch(() => undefined);
  const first = setTimeout(() => {
    tick();
    interval = setInterval(tick, intervalMs);
  }, firstAfterMs);
  return {
    stop() {
      clearTimeout(first);
      clearInterval(interval);
    },
  };
}
