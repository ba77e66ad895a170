/**
 * The monitor's schedules on node-cron: critical (and its faster twin while incidents are open),
 * routine, daily. The tasks only call `runCycle`; a tick that finds a cycle of its kind still
 * running is skipped (runCycle refuses to overlap), so an overrunning cycle never stacks up.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/types.js';
import type { CycleKind } from '../contracts/conditions.js';
import type { Monitor } from './monitor.js';

/**
 * A node-cron expression (with seconds) firing every `seconds`. The config only accepts intervals
 * that divide a minute, an hour or a day evenly, so the spacing is even across boundaries.
 */
export function cronForSeconds(seconds: number): string {
  if (seconds < 60 && 60 % seconds === 0) return seconds === 1 ? '* * * * * *' : `*/${seconds} * * * * *`;
  const minutes = seconds / 60;
  if (Number.isInteger(minutes) && minutes < 60 && 60 % minutes === 0)
    return `0 ${minutes === 1 ? '*' : `*/${minutes}`} * * * *`;
  const hours = seconds / 3600;
  if (Number.isInteger(hours) && hours <= 24 && 24 % hours === 0)
    return `0 0 ${hours === 24 ? '0' : hours === 1 ? '*' : `*/${hours}`} * * *`;
  throw new Error(
    `cannot schedule every ${seconds} s evenly; use seconds that divide a minute, minutes that divide an hour, or hours that divide a day`,
  );
}

export interface Scheduler {
  start(): void;
  stop(): Promise<void>;
  running(): boolean;
}

/** Creates (not yet started) the schedules for `monitor`. */
export function createScheduler(deps: {
  monitor: Monitor;
  config: VigilConfig;
  logger: Logger;
  now: () => number;
}): Scheduler {
  const { monitor, logger } = deps;
  const s = deps.config.monitor.schedules;
  const tasks: ScheduledTask[] = [];
  let lastCritical = 0;
  let started = false;
  let startedAt = 0;

  const cronLogger = {
    info: (msg: string) => logger.debug({ cron: true }, msg),
    warn: (msg: string) => logger.warn({ cron: true }, msg),
    error: (msg: string | Error) => logger.error({ cron: true, err: String(msg) }, 'node-cron error'),
    debug: (msg: string | Error) => logger.debug({ cron: true }, String(msg)),
  };

  async function run(kind: CycleKind): Promise<void> {
    try {
      const r = await monitor.runCycle(kind);
      if (r.skipped === 'standby') logger.debug({ kind }, 'monitor: standing by; another daemon leads');
      else if (r.skipped === 'stopping') logger.debug({ kind }, 'monitor: stopping; this tick skipped');
      else if (r.skipped) logger.warn({ kind }, 'monitor: previous cycle still running; this tick skipped');
      else if (r.findings.length || r.opened.length || r.resolved.length) {
        logger.info(
          {
            kind,
            findings: r.findings.length,
            opened: r.opened.length,
            resolved: r.resolved.length,
            ms: Math.round(r.durationMs),
          },
          'monitor cycle',
        );
      }
      void r.settled.catch(() => undefined);
    } catch (err) {
      logger.error({ kind, err: err instanceof Error ? err.message : String(err) }, 'monitor: cycle failed');
    }
  }

  async function critical(fast: boolean): Promise<void> {
    // The fast schedule only runs while incidents are open; either one skips a tick that comes
    // right after the other fired (both may match the same second).
    try {
      if (fast && !(await monitor.hasOpenIncidents())) return;
    } catch (err) {
      logger.error({ err: err instanceof Error ? err.message : String(err) }, 'monitor: reading open incidents failed');
      return;
    }
    const t = deps.now();
    if (t - lastCritical < (s.fastSeconds * 1000) / 2) return;
    lastCritical = t;
    await run('critical');
  }

  const make = (expr: string, name: string, fn: () => void) =>
    cron.createTask(expr, fn, {
      name: `vigil-${name}`,
      noOverlap: false,
      logger: cronLogger,
      suppressMissedWarning: true,
    });

  return {
    start() {
      if (started) return;
      started = true;
      startedAt = deps.now();
      // Interrupted remediations of dead processes are recovered before the first look.
      const recovered = monitor
        .recover()
        .catch((err: unknown) =>
          logger.error({ err: err instanceof Error ? err.message : String(err) }, 'monitor: recovery failed'),
        );
      tasks.push(
        make(cronForSeconds(s.criticalSeconds), 'critical', () => void critical(false)),
        make(cronForSeconds(s.fastSeconds), 'critical-fast', () => void critical(true)),
        make(cronForSeconds(s.routineSeconds), 'routine', () => void run('routine')),
        make(s.daily, 'daily', () => void run('daily')),
        make('30 * * * * *', 'watchdog', () => void monitor.selfCheck(startedAt).catch(() => undefined)),
      );
      for (const t of tasks) void t.start();
      // First look at once rather than after a whole interval.
      void recovered.then(async () => {
        await critical(false);
      });
      void recovered.then(() => run('routine'));
    },
    async stop() {
      for (const t of tasks.splice(0)) await t.destroy();
      started = false;
      await monitor.shutdown();
    },
    running: () => started,
  };
}
