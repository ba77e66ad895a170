/**
 * The monitor: observe → detect → incidents → remediate → verify → report (docs/ARCHITECTURE.md §8).
 * `runCycle(kind)` is one plain async pass, so tests and `vigil once` drive it directly with an
 * injected clock; the node-cron schedules in schedule.ts only call it. A cycle of a kind that is
 * still running is skipped, never overlapped. Remediations run beside the cycle; `settled`
 * resolves when those it started are done.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/types.js';
import type { Stores } from '../db/stores.js';
import type { Finding, Incident } from '../contracts/incidents.js';
import type { Lease } from '../contracts/leases.js';
import type { EventBus } from '../realtime/bus.js';
import type { Pipeline } from '../mcp/pipeline.js';
import type { InfraClients } from '../clients/index.js';
import type { Condition, CycleKind } from '../contracts/conditions.js';
import {
  EMPTY_CRITICAL,
  EMPTY_ROUTINE,
  detectCritical,
  detectRoutine,
  type CriticalState,
  type DetectResult,
  type NodeObs,
  type RoutineState,
} from './detect.js';
import type { PveRoutineObs } from './detect-pve.js';
import { decideRemediation, type GuardDecision } from './guardrails.js';
import { applyIncidentPlan, planIncidents, type IncidentLogDeps, type IncidentPlan } from './incidents.js';
import { createObserver, fillLookbackMs, fillOptionsOf, type ObserverDeps } from './observe.js';
import { detectFillPredicted } from './forecast.js';
import { realSleep, type Notifier, type SampleStorePort, type Sleep } from './ports.js';
import { createRemediator, guardInputFor, type Holder, type Outcome } from './remediate.js';
import { createReporter } from './report.js';
import { runbooksFromConfig, type ToolCall } from './runbooks.js';
import { forecastNote, storageMetric, withForecast } from './forecast-pools.js';
import { intervalsOf, monitorStatusOf, overdueSchedules, recoverInterrupted } from './status.js';

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

export interface MonitorDeps {
  config: VigilConfig;
  stores: Stores;
  bus: EventBus;
  pipeline: Pipeline;
  clients: InfraClients;
  logger: Logger;
  now: () => number;
  notifier?: Notifier;
  /** Records disk/memory samples and reads them back for disk.fill_predicted; without it there is no forecast. */
  samples?: SampleStorePort;
  sleep?: Sleep;
  holder?: Holder;
  /** Whether a lease's holder still lives; default: same host → signal 0 to its pid, else trust the expiry. */
  alive?: (lease: Lease) => boolean;
  /** `vigil once --dry-run`: detect and decide, write nothing, act on nothing. */
  planOnly?: boolean;
  /** Gets each cycle's readings as they are made (the dashboard's homelab view). */
  observed?: ObserverDeps['observed'];
}

/** What one cycle found and did (or, plan-only, would do). */
export interface CycleReport {
  kind: CycleKind;
  skipped?: 'overlap';
  findings: Finding[];
  suppressed: Finding[];
  opened: Incident[];
  resolved: Incident[];
  /** Plan-only: per active or would-open incident, the guardrail verdict and the call. */
  wouldDo: { key: string; summary: string; decision: GuardDecision; call: ToolCall | null }[];
  /** Remediations this cycle started; resolves when they have finished. */
  settled: Promise<Outcome[]>;
  durationMs: number;
}

/** This process as a lease holder. */
export function processHolder(): Holder {
  return { id: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`, pid: process.pid, host: hostname() };
}

/** Default liveness: a holder on this host is alive while its pid answers signal 0. */
export function pidAlive(me: Holder): (l: Lease) => boolean {
  return (l) => {
    if (l.holder === me.id) return true;
    if (l.host !== me.host) return true;
    if (l.pid === me.pid) return false; // same pid, other holder id: an earlier life of this process
    try {
      process.kill(l.pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  };
}

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
    notifying: () => stores.preferences.autonomyLevel() >= 1,
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
    signal: stopping.signal,
  });

  let critical: CriticalState = EMPTY_CRITICAL;
  let routine: RoutineState = EMPTY_ROUTINE;
  let seeded = false;
  const running = new Set<CycleKind>();
  const inFlight = new Map<string, Promise<Outcome>>();
  const m = config.monitor;

  /** Guests with an open crash incident stay crashed across restarts until seen running. */
  function seed(): void {
    if (seeded) return;
    seeded = true;
    const crashed = store
      .activeIncidents()
      .filter((i) => i.condition === 'guest.crashed')
      .map((i) => Number(i.target));
    critical = { ...critical, crashed: new Set(crashed), guests: new Map(crashed.map((v) => [v, 'stopped' as const])) };
  }

  async function detect(kind: 'critical' | 'routine', openKeys: Set<string>): Promise<DetectResult<unknown>> {
    if (kind === 'critical') {
      const obs = await observer.critical(critical);
      const r = detectCritical(critical, obs, {
        unreachablePolls: m.thresholds.nodeUnreachablePolls,
        openKeys,
        agentFailures: m.guests.agentFailures,
      });
      critical = r.state;
      return r;
    }
    const obs = await observer.routine();
    if (!deps.planOnly) recordSamples(obs.nodes ?? [], now());
    const r = detectRoutine(routine, obs, {
      diskPercent: m.thresholds.diskPercent,
      memoryPercent: m.thresholds.memoryPercent,
      httpFailures: m.thresholds.httpFailures,
      openKeys,
      pve: {
        storagePercent: m.thresholds.storagePercent,
        backupRequired: m.backups.required,
        backupMaxAgeDays: m.backups.maxAgeDays,
        now: now(),
      },
    });
    routine = r.state;
    if (!deps.planOnly) recordStorageSamples(obs.pve?.storage ?? [], now());
    const fill = forecastFills(obs.nodes ?? [], openKeys);
    const findings = [...r.findings.map(forecastOf), ...fill.findings];
    return { ...r, findings, healthy: new Set([...r.healthy, ...fill.healthy]) };
  }

  /**
   * One sample per node and metric per routine interval at most (a tenth of slack for timer
   * jitter): `vigil once` runs and faster cycles do not crowd the series the forecast fits.
   */
  function recordSamples(nodes: readonly NodeObs[], at: number): void {
    const samples = deps.samples;
    if (!samples) return;
    const spacing = m.schedules.routineSeconds * 1000 * 0.9;
    for (const n of nodes) {
      if (!n.online) continue;
      for (const [metric, value] of [
        ['disk.percent', n.diskPercent],
        ['memory.percent', n.memoryPercent],
      ] as const) {
        const last = samples.latest(n.name, metric);
        if (value !== undefined && (!last || at - last.at >= spacing)) samples.record(n.name, metric, value, at);
      }
    }
  }

  /** Storage-pool usage samples, at the same spacing as the node samples, for storage.high forecasts. */
  function recordStorageSamples(pools: NonNullable<PveRoutineObs['storage']>, at: number): void {
    const samples = deps.samples;
    if (!samples) return;
    const spacing = m.schedules.routineSeconds * 1000 * 0.9;
    for (const p of pools) {
      if (p.usedPercent === undefined || p.status !== 'available') continue;
      const last = samples.latest(p.node, storageMetric(p.storage));
      if (!last || at - last.at >= spacing) samples.record(p.node, storageMetric(p.storage), p.usedPercent, at);
    }
  }

  /** storage.high and memory.high findings carry days-to-critical and r² from the stored samples. */
  function forecastOf(f: Finding): Finding {
    const samples = deps.samples;
    if (!samples || (f.condition !== 'storage.high' && f.condition !== 'memory.high') || !f.node) return f;
    const metric = f.condition === 'memory.high' ? 'memory.percent' : storageMetric(String(f.details.storage));
    const at = now();
    const points = samples.series(f.node, metric, at - fillLookbackMs(config));
    return withForecast(f, forecastNote(points, at, m.forecast.minSamples));
  }

  /**
   * disk.fill_predicted over the stored series of every online node. A node already at the
   * disk.high threshold is left to disk.high (same cleanup; two incidents would only race for it),
   * and its open fill incident is neither seen nor resolved meanwhile.
   */
  function forecastFills(nodes: readonly NodeObs[], openKeys: ReadonlySet<string>) {
    const samples = deps.samples;
    if (!samples) return { findings: [], healthy: new Set<string>() };
    const at = now();
    const series = nodes
      .filter((n) => n.online && n.diskPercent !== undefined && n.diskPercent < m.thresholds.diskPercent)
      .map((n) => ({ node: n.name, points: samples.series(n.name, 'disk.percent', at - fillLookbackMs(config)) }));
    return detectFillPredicted(series, at, fillOptionsOf(config), openKeys);
  }

  function wouldDo(plan: IncidentPlan, active: readonly Incident[]): CycleReport['wouldDo'] {
    const t = now();
    const pseudo: Incident[] = plan.open.map((n, i) => ({
      ...n,
      id: -1 - i,
      status: 'open',
      attempts: 0,
      approvalId: null,
      firstSeen: t,
      lastSeen: t,
      resolvedAt: null,
      escalatedAt: null,
    }));
    const resolving = new Set(plan.resolve.map((i) => i.key));
    return [...active.filter((i) => !resolving.has(i.key)), ...pseudo].map((incident) => {
      const rb = runbooks.get(incident.condition)!;
      const call = rb.action(incident, config);
      return {
        key: incident.key,
        summary: incident.summary,
        decision: decideRemediation(guardInputFor({ config, store, stores, now }, incident, rb, call)),
        call,
      };
    });
  }

  function remediateActive(): Promise<Outcome[]> {
    const started: Promise<Outcome>[] = [];
    for (const incident of store.activeIncidents()) {
      if (inFlight.has(incident.key)) continue;
      const p = remediator.remediate(incident).catch((err: unknown): Outcome => {
        logger.error(
          { incident: incident.key, err: err instanceof Error ? err.message : String(err) },
          'monitor: remediation failed unexpectedly',
        );
        return {
          key: incident.key,
          verdict: 'skipped',
          reason: 'precondition',
          detail: `internal error: ${err instanceof Error ? err.message : String(err)}`,
        };
      });
      inFlight.set(incident.key, p);
      void p.finally(() => inFlight.delete(incident.key));
      started.push(p);
    }
    return Promise.all(started);
  }

  /** Retention (samples, delivered and given-up notifications), then SQLite's own upkeep. */
  function daily(): void {
    const t = now();
    const samples = deps.samples?.prune(t, m.forecast.sampleRetentionDays * 86_400_000) ?? 0;
    const outbox = stores.outbox.prune(t - m.outboxRetentionDays * 86_400_000);
    if (samples || outbox) logger.info({ samples, outbox }, 'monitor: pruned by retention');
    stores.maintenance.optimize();
  }

  async function runCycle(kind: CycleKind): Promise<CycleReport> {
    const empty = { findings: [], suppressed: [], opened: [], resolved: [], wouldDo: [], settled: Promise.resolve([]) };
    if (running.has(kind)) return { kind, skipped: 'overlap', ...empty, durationMs: 0 };
    running.add(kind);
    const startedAt = now();
    const t0 = performance.now();
    let error: string | null = null;
    try {
      if (kind === 'daily') {
        if (!deps.planOnly) daily();
        return { kind, ...empty, durationMs: performance.now() - t0 };
      }
      seed();
      const active = store.activeIncidents();
      const r = await detect(kind, new Set(active.map((i) => i.key)));
      const plan = planIncidents({
        findings: r.findings,
        healthy: r.healthy,
        downNodes: r.downNodes,
        active,
        scope: kind === 'critical' ? CRITICAL_CONDITIONS : ROUTINE_CONDITIONS,
        openings: (key) => store.openingsSince(key, now() - m.flapping.windowMinutes * 60_000),
        flapOpenings: m.flapping.openings,
      });
      if (deps.planOnly) {
        return {
          kind,
          ...empty,
          findings: r.findings,
          suppressed: plan.suppressed,
          wouldDo: wouldDo(plan, active),
          durationMs: performance.now() - t0,
        };
      }
      const { opened, resolved } = applyIncidentPlan(plan, incidentLog);
      const settled = remediateActive();
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
      running.delete(kind);
      if (!deps.planOnly) {
        store.recordRun({
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

  const degraded = new Set<CycleKind>();
  /**
   * Self-watch: a schedule whose last run is older than two intervals (a hung cycle blocks its
   * later ticks) is logged and sent as an escalation once; it clears when the schedule runs again.
   */
  function selfCheck(since: number): CycleKind[] {
    const overdue = overdueSchedules(store.runs(), intervalsOf(config), since, now());
    for (const kind of overdue) {
      if (degraded.has(kind)) continue;
      degraded.add(kind);
      logger.error({ kind }, 'monitor: a schedule missed two intervals');
      if (!deps.planOnly && stores.preferences.autonomyLevel() >= 1) {
        deps.notifier?.enqueue({
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

  return {
    runCycle,
    selfCheck,
    /** Marks actions and incidents left mid-remediation by a dead process; call once at start. */
    recover: () => recoverInterrupted({ store, bus, holder, alive, now, logger }),
    /** Whether incidents are open (the scheduler polls faster then). */
    hasOpenIncidents: () => store.activeIncidents().length > 0,
    /** Remediations still running in this process. */
    inFlight: () => [...inFlight.keys()],
    /** Waits for every remediation running in this process. */
    drain: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight.values()]);
    },
    /** Stops: verification waits end at once (recorded as interrupted), then waits for the rest. */
    shutdown: async () => {
      stopping.abort();
      while (inFlight.size > 0) await Promise.allSettled([...inFlight.values()]);
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
