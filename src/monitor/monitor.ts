/**
 * The monitor: observe → detect → incidents → remediate → verify → report (docs/ARCHITECTURE.md §8).
 * `runCycle(kind)` is one plain async pass, so tests and `vigil once` drive it directly with an
 * injected clock; the node-cron schedules in schedule.ts only call it. A cycle of a kind that is
 * still running is skipped, never overlapped. Remediations run beside the cycle; `settled`
 * resolves when those it started are done (monitor-dispatch.ts); recovery and the schedules'
 * self-watch are monitor-watch.ts.
 */
import type { Condition, CycleKind } from '../contracts/conditions.js';
import { applyIncidentPlan, planIncidents, type IncidentLogDeps } from './incidents.js';
import { createObserver } from './observe.js';
import { realSleep } from './ports.js';
import { createRemediator } from './remediate.js';
import { createReporter } from './report.js';
import { runbooksFromConfig } from './runbooks.js';
import { monitorStatusOf } from './status.js';
import { createDetection } from './monitor-detect.js';
import { createDispatch } from './monitor-dispatch.js';
import { createSelfWatch } from './monitor-watch.js';
import { pidAlive, processHolder } from './monitor-holder.js';
import type { CycleReport, MonitorDeps } from './monitor-types.js';

export type { CycleReport, MonitorDeps } from './monitor-types.js';
export { pidAlive, processHolder } from './monitor-holder.js';

export const CRITICAL_CONDITIONS: readonly Condition[] = [
  'guest.crashed',
  'node.unreachable',
  'guest.unresponsive',
  'guest.down',
];
export const ROUTINE_CONDITIONS: readonly Condition[] = [
  'service.failed',
  'http.down',
  'disk.high',
  'memory.high',
  'disk.fill_predicted',
  'storage.high',
  'ha.error',
  'backup.failed',
  'backup.missing',
];

/** Creates the monitor. Nothing runs until `runCycle` (or the scheduler) is called. */
export function createMonitor(deps: MonitorDeps) {
  const { config, stores, bus, logger, now } = deps;
  const store = stores.monitor;
  const holder = deps.holder ?? processHolder();
  const alive = deps.alive ?? pidAlive(holder);
  const runbooks = runbooksFromConfig(config);
  const stopping = new AbortController();
  const observer = createObserver({
    config,
    clients: deps.clients,
    logger,
    now,
    stopCalls: (since) => stores.audit.stopCallsSince(since),
    ...(deps.samples ? { samples: deps.samples } : {}),
    ...(deps.observed ? { observed: deps.observed } : {}),
  });
  const incidentLog: IncidentLogDeps = {
    store,
    bus,
    ...(deps.notifier ? { notifier: deps.notifier } : {}),
    now,
    notifying: async () => (await stores.preferences.autonomyLevel()) >= 1,
  };
  const reporter = createReporter({
    config,
    store,
    stores,
    bus,
    pipeline: deps.pipeline,
    ...(deps.notifier ? { notifier: deps.notifier } : {}),
    now,
    holderId: holder.id,
  });
  const remediator = createRemediator({
    config,
    store,
    stores,
    bus,
    pipeline: deps.pipeline,
    observer,
    reporter,
    runbooks,
    incidentLog,
    logger,
    now,
    sleep: deps.sleep ?? realSleep,
    holder,
    alive,
    ...(deps.holderAlive ? { holderAlive: deps.holderAlive } : {}),
    signal: stopping.signal,
  });
  const leading = deps.leading ?? (() => true);

  const { seed, detect } = createDetection(deps, observer);

  const { recover, selfCheck } = createSelfWatch({ ...deps, holder, alive, leading });
  const dispatch = createDispatch({ config, stores, logger, now, runbooks, remediator, signal: stopping.signal });

  /**
   * The cycle under way per kind, until it has recorded its run: a tick of that kind meanwhile is
   * skipped, and shutdown waits for them, so none outlives the stores and clients it reads.
   */
  const running = new Map<CycleKind, Promise<CycleReport>>();
  const m = config.monitor;

  /** Retention (samples, delivered and given-up notifications), then SQLite's own upkeep. */
  async function daily(): Promise<void> {
    const t = now();
    const samples = (await deps.samples?.prune(t, m.forecast.sampleRetentionDays * 86_400_000)) ?? 0;
    const outbox = await stores.outbox.prune(t - m.outboxRetentionDays * 86_400_000);
    if (samples || outbox) logger.info({ samples, outbox }, 'monitor: pruned by retention');
    await stores.maintenance.optimize();
  }

  const empty = { findings: [], suppressed: [], opened: [], resolved: [], wouldDo: [], settled: Promise.resolve([]) };

  function runCycle(kind: CycleKind): Promise<CycleReport> {
    const skipped = (why: CycleReport['skipped']) => Promise.resolve({ kind, skipped: why, ...empty, durationMs: 0 });
    if (stopping.signal.aborted) return skipped('stopping');
    if (running.has(kind)) return skipped('overlap');
    // Only the leader among daemons sharing PostgreSQL observes and acts; a standby waits its turn.
    if (!deps.planOnly && !leading()) return skipped('standby');
    const cycle = cycleOf(kind);
    running.set(kind, cycle);
    const done = () => void running.delete(kind);
    cycle.then(done, done);
    return cycle;
  }

  async function cycleOf(kind: CycleKind): Promise<CycleReport> {
    const startedAt = now();
    const t0 = performance.now();
    let error: string | null = null;
    try {
      if (kind === 'daily') {
        if (!deps.planOnly) await daily();
        return { kind, ...empty, durationMs: performance.now() - t0 };
      }
      await seed();
      // Daemons sharing PostgreSQL: a new leader takes over while the old one's heartbeat is still
      // fresh, so what it left mid-remediation is recovered once its heartbeat has gone stale.
      if (deps.holderAlive && kind === 'critical') await recover();
      const active = await store.activeIncidents();
      const r = await detect(kind, new Set(active.map((i) => i.key)));
      // Read ahead for the pure planner: how often each finding's key opened within the flapping window.
      const since = now() - m.flapping.windowMinutes * 60_000;
      const openingCounts = new Map(
        await Promise.all(r.findings.map(async (f) => [f.key, await store.openingsSince(f.key, since)] as const)),
      );
      const plan = planIncidents({
        findings: r.findings,
        healthy: r.healthy,
        downNodes: r.downNodes,
        active,
        scope: kind === 'critical' ? CRITICAL_CONDITIONS : ROUTINE_CONDITIONS,
        openings: (key) => openingCounts.get(key) ?? 0,
        flapOpenings: m.flapping.openings,
      });
      if (deps.planOnly) {
        return {
          kind,
          ...empty,
          findings: r.findings,
          suppressed: plan.suppressed,
          wouldDo: await dispatch.wouldDo(plan, active),
          durationMs: performance.now() - t0,
        };
      }
      const { opened, resolved } = await applyIncidentPlan(plan, incidentLog);
      const settled = dispatch.remediateActive();
      return {
        kind,
        findings: r.findings,
        suppressed: plan.suppressed,
        opened,
        resolved,
        wouldDo: [],
        settled,
        durationMs: performance.now() - t0,
      };
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      throw err;
    } finally {
      if (!deps.planOnly) {
        await store.recordRun({
          kind,
          holder: holder.id,
          startedAt,
          finishedAt: now(),
          durationMs: performance.now() - t0,
          error,
          summary: null,
        });
      }
    }
  }

  return {
    runCycle,
    selfCheck,
    /**
     * Marks actions and incidents left mid-remediation by a dead process; call at start and on
     * becoming the leader. A standby recovers nothing (the leader's work is not its to judge).
     */
    recover,
    /** Whether incidents are open (the scheduler polls faster then). */
    hasOpenIncidents: async () => (await store.activeIncidents()).length > 0,
    /** Remediations still running in this process. */
    inFlight: dispatch.inFlight,
    /** Waits for every remediation running in this process. */
    drain: dispatch.drain,
    /**
     * Stops: no new cycle or remediation starts, verification waits end at once (recorded as
     * interrupted), then it waits for the cycles and remediations still under way.
     */
    shutdown: async () => {
      stopping.abort();
      // Aborted, runCycle starts no cycle and dispatch no remediation: the ones under way are all.
      await Promise.allSettled(running.values());
      await dispatch.drain();
    },
    status: (schedulerRunning: boolean, startedAt?: number) =>
      monitorStatusOf({
        store,
        config,
        now,
        running: schedulerRunning,
        holder,
        ...(startedAt !== undefined ? { startedAt } : {}),
      }),
    store,
    holder,
    runbooks,
  };
}

export type Monitor = ReturnType<typeof createMonitor>;
