/**
 * The observe → detect part of a cycle: the detectors' state between cycles, the samples recorded
 * for forecasts, and the forecasts attached to findings (disk.fill_predicted, days-to-critical).
 */
import type { Finding } from '../contracts/incidents.js';
import { EMPTY_CRITICAL, detectCritical, type CriticalState, type DetectResult, type NodeObs } from './detect.js';
import { EMPTY_ROUTINE, detectRoutine, type RoutineState } from './detect-routine.js';
import type { PveRoutineObs } from './detect-pve.js';
import { fillLookbackMs, fillOptionsOf, type Observer } from './observe.js';
import { detectFillPredicted } from './forecast.js';
import { forecastNote, storageMetric, withForecast } from './forecast-pools.js';
import type { MonitorDeps } from './monitor-types.js';

/** Creates the detection step of the monitor; it keeps the detectors' state from one cycle to the next. */
export function createDetection(deps: MonitorDeps, observer: Observer) {
  const { config, stores, now } = deps;
  const store = stores.monitor;
  let critical: CriticalState = EMPTY_CRITICAL;
  let routine: RoutineState = EMPTY_ROUTINE;
  let seeded = false;
  const m = config.monitor;

  /**
   * Guests with an open crash incident stay crashed across restarts until seen running; a guest
   * with an open guest.down incident stays known as stopped, so a restarted monitor (or a daemon
   * taking over the leadership) does not judge it afresh and open a second incident for it.
   */
  async function seed(): Promise<void> {
    if (seeded) return;
    seeded = true;
    const active = await store.activeIncidents();
    const targets = (condition: string) => active.filter((i) => i.condition === condition).map((i) => Number(i.target));
    const crashed = targets('guest.crashed');
    const stopped = [...crashed, ...targets('guest.down')];
    critical = { ...critical, crashed: new Set(crashed), guests: new Map(stopped.map((v) => [v, 'stopped' as const])) };
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
    if (!deps.planOnly) await recordSamples(obs.nodes ?? [], now());
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
    if (!deps.planOnly) await recordStorageSamples(obs.pve?.storage ?? [], now());
    const fill = await forecastFills(obs.nodes ?? [], openKeys);
    const findings = [...(await Promise.all(r.findings.map(forecastOf))), ...fill.findings];
    return { ...r, findings, healthy: new Set([...r.healthy, ...fill.healthy]) };
  }

  /**
   * One sample per node and metric per routine interval at most (a tenth of slack for timer
   * jitter): `vigil once` runs and faster cycles do not crowd the series the forecast fits.
   */
  async function recordSamples(nodes: readonly NodeObs[], at: number): Promise<void> {
    const samples = deps.samples;
    if (!samples) return;
    const spacing = m.schedules.routineSeconds * 1000 * 0.9;
    for (const n of nodes) {
      if (!n.online) continue;
      for (const [metric, value] of [
        ['disk.percent', n.diskPercent],
        ['memory.percent', n.memoryPercent],
      ] as const) {
        const last = await samples.latest(n.name, metric);
        if (value !== undefined && (!last || at - last.at >= spacing)) await samples.record(n.name, metric, value, at);
      }
    }
  }

  /** Storage-pool usage samples, at the same spacing as the node samples, for storage.high forecasts. */
  async function recordStorageSamples(pools: NonNullable<PveRoutineObs['storage']>, at: number): Promise<void> {
    const samples = deps.samples;
    if (!samples) return;
    const spacing = m.schedules.routineSeconds * 1000 * 0.9;
    for (const p of pools) {
      if (p.usedPercent === undefined || p.status !== 'available') continue;
      const last = await samples.latest(p.node, storageMetric(p.storage));
      if (!last || at - last.at >= spacing) await samples.record(p.node, storageMetric(p.storage), p.usedPercent, at);
    }
  }

  /** storage.high and memory.high findings carry days-to-critical and r² from the stored samples. */
  async function forecastOf(f: Finding): Promise<Finding> {
    const samples = deps.samples;
    if (!samples || (f.condition !== 'storage.high' && f.condition !== 'memory.high') || !f.node) return f;
    const metric = f.condition === 'memory.high' ? 'memory.percent' : storageMetric(String(f.details.storage));
    const at = now();
    const points = await samples.series(f.node, metric, at - fillLookbackMs(config));
    return withForecast(f, forecastNote(points, at, m.forecast.minSamples));
  }

  /**
   * disk.fill_predicted over the stored series of every online node. A node already at the
   * disk.high threshold is left to disk.high (same cleanup; two incidents would only race for it),
   * and its open fill incident is neither seen nor resolved meanwhile.
   */
  async function forecastFills(nodes: readonly NodeObs[], openKeys: ReadonlySet<string>) {
    const samples = deps.samples;
    if (!samples) return { findings: [], healthy: new Set<string>() };
    const at = now();
    const series = await Promise.all(
      nodes
        .filter((n) => n.online && n.diskPercent !== undefined && n.diskPercent < m.thresholds.diskPercent)
        .map(async (n) => ({
          node: n.name,
          points: await samples.series(n.name, 'disk.percent', at - fillLookbackMs(config)),
        })),
    );
    return detectFillPredicted(series, at, fillOptionsOf(config), openKeys);
  }

  return { seed, detect };
}
