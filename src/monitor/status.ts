/**
 * Self-watch and restart recovery: what the monitor reports about itself (schedules that missed
 * two intervals make it `degraded`; per-runbook success rate and median time to recovery), and
 * what a new process does with remediations a dead one left behind.
 */
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/types.js';
import type { MonitorPort } from '../db/ports.js';
import type { Lease } from '../contracts/leases.js';
import type { EventBus } from '../realtime/bus.js';
import type { CycleKind } from '../contracts/conditions.js';
import type { Holder } from './remediate.js';

const WEEK_MS = 7 * 86_400_000;

/** Expected interval of each schedule in ms (daily: a day). */
export function intervalsOf(config: VigilConfig): Record<CycleKind, number> {
  const s = config.monitor.schedules;
  return { critical: s.criticalSeconds * 1000, routine: s.routineSeconds * 1000, daily: 86_400_000 };
}

/** Schedules whose last start is older than two intervals (pure). */
export function overdueSchedules(
  runs: readonly { kind: CycleKind; startedAt: number }[],
  intervals: Record<CycleKind, number>,
  since: number,
  now: number,
): CycleKind[] {
  return (['critical', 'routine', 'daily'] as const).filter((kind) => {
    const last = runs.find((r) => r.kind === kind)?.startedAt ?? since;
    return now - Math.max(last, since) > 2 * intervals[kind];
  });
}

/** Median of numbers, or null. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The monitor's report for get_monitor_status and the REST status route. */
export async function monitorStatusOf(deps: {
  store: MonitorPort;
  config: VigilConfig;
  now: () => number;
  running: boolean;
  holder: Holder;
  startedAt?: number;
}) {
  const now = deps.now();
  const runs = await deps.store.runs();
  const overdue = deps.running ? overdueSchedules(runs, intervalsOf(deps.config), deps.startedAt ?? now, now) : [];
  const active = await deps.store.activeIncidents();
  const actions = (await deps.store.actionsSince(now - WEEK_MS)).filter((a) => a.counts && a.finishedAt !== null);
  const runbooks: Record<
    string,
    { attempts: number; succeeded: number; successRate: number | null; medianRecoveryMs: number | null }
  > = {};
  for (const a of actions) {
    const r = (runbooks[a.runbook] ??= { attempts: 0, succeeded: 0, successRate: null, medianRecoveryMs: null });
    r.attempts++;
    if (a.result === 'succeeded') r.succeeded++;
  }
  for (const [name, r] of Object.entries(runbooks)) {
    r.successRate = r.attempts ? r.succeeded / r.attempts : null;
    r.medianRecoveryMs = median(
      actions.filter((a) => a.runbook === name && a.result === 'succeeded').map((a) => a.durationMs ?? 0),
    );
  }
  const degraded = overdue.length > 0;
  return {
    running: deps.running,
    degraded,
    detail: !deps.running
      ? 'the monitor is not running in this process'
      : `${degraded ? `DEGRADED: ${overdue.join(', ')} schedule missed two intervals; ` : ''}${active.length} active incident(s), dry run ${deps.config.monitor.dryRun ? 'on' : 'off'}`,
    schedules: runs.map((r) => ({
      kind: r.kind,
      lastRunAt: r.startedAt,
      durationMs: r.durationMs,
      error: r.error,
      overdue: overdue.includes(r.kind),
    })),
    activeIncidents: active.map((i) => ({ key: i.key, status: i.status, attempts: i.attempts, since: i.firstSeen })),
    leases: await deps.store.leases(),
    runbooks,
  };
}

/** Parses a holder id `host:pid:random` into the fields liveness needs. */
export function holderOf(id: string): Pick<Lease, 'holder' | 'pid' | 'host'> {
  const parts = id.split(':');
  return { holder: id, pid: Number(parts[parts.length - 2]) || 0, host: parts.slice(0, -2).join(':') };
}

/**
 * A process that died mid-remediation leaves an action `running`, its incident `remediating` and
 * a lease. The action is marked interrupted (it still counts as an attempt: something may have
 * been sent, and the back-off keeps the next attempt from racing it), the lease is released, the
 * incident goes back to open, and detection decides from what it sees — so a guest the dead
 * process did start is resolved, not started twice.
 */
export async function recoverInterrupted(deps: {
  store: MonitorPort;
  bus: EventBus;
  holder: Holder;
  alive: (l: Lease) => boolean;
  now: () => number;
  logger: Logger;
}): Promise<number> {
  const { store, now } = deps;
  const dead = (holderId: string) =>
    holderId !== deps.holder.id &&
    !deps.alive({
      ...holderOf(holderId),
      node: '',
      incidentKey: '',
      acquiredAt: 0,
      expiresAt: Number.MAX_SAFE_INTEGER,
    });
  let count = 0;
  for (const a of await store.runningActions()) {
    if (!dead(a.holder)) continue;
    count++;
    await store.finishAction(a.id, {
      result: 'interrupted',
      detail: `the process ${a.holder} ended during this action`,
      counts: a.counts,
      finishedAt: now(),
      durationMs: now() - a.startedAt,
    });
    await deps.bus.publish({
      type: 'remediation.failed',
      severity: 'warning',
      title: `${a.runbook}: interrupted`,
      message: `vigil stopped while running ${a.tool ?? 'an action'} for ${a.incidentKey}; detection will decide whether it took effect`,
      ...(a.node ? { node: a.node } : {}),
      incidentKey: a.incidentKey,
      data: { actionId: a.id, holder: a.holder },
    });
    deps.logger.warn(
      { action: a.id, incident: a.incidentKey, holder: a.holder },
      'monitor: recovered an interrupted remediation',
    );
  }
  const leases = await store.leases();
  for (const l of leases) {
    if (!dead(l.holder) && l.expiresAt > now()) continue;
    await store.releaseLease(l.node, l.holder);
    deps.logger.warn(
      { node: l.node, holder: l.holder, incident: l.incidentKey },
      'monitor: recovered the remediation lease of a process that is gone',
    );
  }
  for (const i of await store.activeIncidents()) {
    if (i.status !== 'remediating') continue;
    const held = leases.find((l) => l.incidentKey === i.key && l.expiresAt > now() && !dead(l.holder));
    if (!held) await store.setStatus(i.id, 'open', now());
  }
  return count;
}

/**
 * The monitor as seen from another process (`vigil status`, `vigil mcp`): running when some
 * process ran a critical cycle within the last two intervals, as the shared database records.
 */
export async function observedMonitorStatus(deps: { store: MonitorPort; config: VigilConfig; now: () => number }) {
  const now = deps.now();
  const critical = (await deps.store.runs()).find((r) => r.kind === 'critical');
  const running = critical !== undefined && now - critical.startedAt <= 2 * intervalsOf(deps.config).critical;
  // Asked as if running, for the incident count; the caller's text says "running" or "not running".
  const s = await monitorStatusOf({
    ...deps,
    running: true,
    holder: { id: '', pid: 0, host: '' },
    startedAt: critical?.startedAt ?? now,
  });
  const ago = critical ? `${Math.round((now - critical.startedAt) / 1000)} s ago` : '';
  return {
    ...s,
    running,
    detail: running
      ? `in another process: last critical cycle ${ago} by ${critical!.holder}; ${s.detail}`
      : `${critical ? `last critical cycle ${ago}` : 'no monitor cycle recorded yet'}; start it with "vigil serve"`,
  };
}
