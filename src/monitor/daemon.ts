/**
 * The monitor as the daemon runs it: monitor + schedules over a core, reporting through
 * `deps.monitorStatus` (so get_monitor_status and `vigil status` see it), stopped cleanly.
 */
import type { Core } from '../core.js';
import { holderOf } from './status.js';
import { createMonitor, type Monitor, type MonitorDeps } from './monitor.js';
import type { Notifier, SampleStorePort } from './ports.js';
import { createScheduler, type Scheduler } from './schedule.js';

export interface MonitorService {
  monitor: Monitor;
  scheduler: Scheduler;
  stop(): Promise<void>;
}

/**
 * A notifier that never throws into the monitor: a notification that cannot be queued is logged,
 * and the remediation that wanted to send it goes on.
 */
export function safeNotifier(inner: Notifier, log: (err: unknown) => void): Notifier {
  return {
    async enqueue(request) {
      try {
        return await inner.enqueue(request);
      } catch (err) {
        log(err);
        return undefined;
      }
    },
  };
}

/** Creates and starts the monitor's schedules over `core` (when `monitor.enabled`). */
export function startMonitorService(
  core: Core,
  opts: { notifier?: Notifier; samples?: SampleStorePort; observed?: MonitorDeps['observed'] } = {},
): MonitorService {
  const { config, logger } = core;
  const notifier =
    opts.notifier &&
    safeNotifier(opts.notifier, (err) =>
      logger.error({ err: err instanceof Error ? err.message : String(err) }, 'monitor: queuing a notification failed'),
    );
  const ha = core.leadership;
  // The daemon's id is its lease-holder id: a new leader tells the old one's leases by its heartbeat.
  const { holder: id, pid, host } = holderOf(ha.daemonId);
  const monitor = createMonitor({
    config,
    holder: { id, pid, host },
    leading: () => ha.leading(),
    ...(ha.engine === 'postgres' ? { holderAlive: (otherwise) => ha.holderAlive(otherwise) } : {}),
    stores: core.stores,
    bus: core.bus,
    pipeline: core.pipeline,
    clients: core.deps.clients,
    logger: logger.child({ component: 'monitor' }),
    now: core.deps.now,
    ...(notifier ? { notifier } : {}),
    ...(opts.samples ? { samples: opts.samples } : {}),
    ...(opts.observed ? { observed: opts.observed } : {}),
  });
  const scheduler = createScheduler({
    monitor,
    config,
    logger: logger.child({ component: 'monitor' }),
    now: core.deps.now,
  });
  const startedAt = core.deps.now();
  core.deps.monitorStatus = async () => {
    const s = await monitor.status(scheduler.running(), startedAt);
    // A standby's schedules tick but do nothing: say so, and who acts instead.
    const standby = ha.role === 'standby' && s.running;
    return {
      ...s,
      running: s.running,
      role: ha.role,
      ...(standby && { detail: `standing by: another daemon sharing the database leads and acts; ${s.detail}` }),
    };
  };
  // Taking over: what the previous leader left mid-remediation is recovered before the next cycle acts.
  const unwatch = ha.onChange((role) => {
    logger.warn(
      { role, epoch: ha.epoch },
      role === 'leader' ? 'monitor: this daemon leads now' : 'monitor: standing by',
    );
    if (role === 'leader' && scheduler.running())
      monitor
        .recover()
        .catch((err: unknown) =>
          logger.error({ err: err instanceof Error ? err.message : String(err) }, 'monitor: recovery failed'),
        );
  });
  if (config.monitor.enabled) scheduler.start();
  return {
    monitor,
    scheduler,
    async stop() {
      unwatch();
      await scheduler.stop();
    },
  };
}
