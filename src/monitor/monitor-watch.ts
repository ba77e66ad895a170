/**
 * The monitor watching over itself: recovering what dead processes left mid-remediation, and
 * noticing (and escalating once) a schedule that has stopped running. Cycles are monitor.ts's job.
 */
import type { CycleKind } from '../contracts/conditions.js';
import type { Lease } from '../contracts/leases.js';
import { intervalsOf, overdueSchedules, recoverInterrupted } from './status.js';
import type { MonitorDeps } from './monitor-types.js';
import type { Holder } from './remediate-types.js';

/** What the self-watch reads and whom it tells; `leading` says whether this process is the monitor now. */
export interface SelfWatchDeps extends Pick<
  MonitorDeps,
  'config' | 'stores' | 'bus' | 'logger' | 'now' | 'notifier' | 'holderAlive' | 'planOnly'
> {
  holder: Holder;
  alive: (lease: Lease) => boolean;
  leading: () => boolean;
}

/** Creates the monitor's recovery and schedule self-watch. */
export function createSelfWatch(deps: SelfWatchDeps) {
  const { config, stores, bus, logger, now, holder, alive, leading } = deps;
  const store = stores.monitor;

  /** Marks what dead processes left mid-remediation as interrupted; nothing unless this process leads. */
  async function recover(): Promise<number> {
    if (!leading()) return 0;
    const aliveNow = deps.holderAlive ? await deps.holderAlive(alive) : alive;
    return recoverInterrupted({ store, bus, holder, alive: aliveNow, now, logger });
  }

  const degraded = new Set<CycleKind>();
  /**
   * Self-watch: a schedule whose last run is older than two intervals (a hung cycle blocks its
   * later ticks) is logged and sent as an escalation once; it clears when the schedule runs again.
   */
  async function selfCheck(since: number): Promise<CycleKind[]> {
    // The leader watches the schedules (the runs table is shared): one escalation, not one per daemon.
    if (!leading()) return [];
    const overdue = overdueSchedules(await store.runs(), intervalsOf(config), since, now());
    for (const kind of overdue) {
      if (degraded.has(kind)) continue;
      degraded.add(kind);
      logger.error({ kind }, 'monitor: a schedule missed two intervals');
      if (!deps.planOnly && (await stores.preferences.autonomyLevel()) >= 1) {
        await deps.notifier?.enqueue({
          kind: 'escalation',
          incidentKey: `monitor.schedule:${kind}`,
          subject: `vigil monitor degraded: the ${kind} schedule missed two intervals`,
          body: `The ${kind} schedule of the monitor (holder ${holder.id}) has not run for more than two intervals. Incidents may go unnoticed until it runs again; check the daemon's log.`,
        });
      }
    }
    for (const kind of degraded) if (!overdue.includes(kind)) degraded.delete(kind);
    return overdue;
  }

  return { recover, selfCheck };
}
