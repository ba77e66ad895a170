/**
 * The monitor as the daemon runs it: monitor + schedules over a core, reporting through
 * `deps.monitorStatus` (so get_monitor_status and `vigil status` see it), stopped cleanly.
 */
import type { Core } from '../core.js';
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
  const monitor = createMonitor({
    config,
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
    return { ...s, running: s.running };
  };
  if (config.monitor.enabled) scheduler.start();
  return {
    monitor,
    scheduler,
    async stop() {
      await scheduler.stop();
    },
  };
}
