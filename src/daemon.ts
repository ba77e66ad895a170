/**
 * The daemon's services over one core, shared by `vigil serve` and `vigil demo`: the HTTP surface
 * (MCP, REST, dashboard, /events, metrics), the notification outbox worker and the monitor schedules.
 */
import type { Core } from './core.js';
import { startHttp, type HttpApp } from './api/app.js';
import { createNotifications } from './notify/index.js';
import { startMonitorService } from './monitor/daemon.js';
import { createHomelabFeed } from './monitor/homelab.js';
import { startOutageWatch } from './monitor/outage.js';

export interface Daemon {
  http: HttpApp;
  /**
   * Stops the monitor (waiting at most `monitorWaitMs` for running remediations, if given), the
   * outbox worker and HTTP. Resolves to false when remediations were still running when it gave up;
   * the next start over the same database marks them interrupted.
   */
  stop(monitorWaitMs?: number): Promise<boolean>;
}

/** Starts HTTP first (so a busy port fails before anything else runs), then notifications and the monitor. */
export async function startDaemon(core: Core, host: string, port: number): Promise<Daemon> {
  // The monitor hands each cycle's readings to the feed; the dashboard reads it (no second poll).
  const homelab = createHomelabFeed({
    thresholds: core.config.monitor.thresholds,
    onListenerError: (err) =>
      core.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'homelab listener failed'),
  });
  const http = await startHttp(core, host, port, { homelab });
  const notifications = createNotifications({
    config: core.config.notifications,
    outbox: core.stores.outbox,
    logger: core.logger.child({ component: 'notify' }),
    now: core.deps.now,
    bus: core.bus,
    redact: core.redact,
  });
  notifications.worker.start();
  // Daemons sharing PostgreSQL compete for leadership; only the leader's monitor acts.
  core.leadership.start();
  const outage =
    core.ha.engine === 'postgres'
      ? startOutageWatch({
          check: () => core.stores.storage.check(),
          leading: () => core.leadership.leading(),
          notifier: notifications.notifier,
          logger: core.logger.child({ component: 'database' }),
          now: core.deps.now,
          intervalMs: core.leadership.intervalMs,
        })
      : undefined;
  // Starts the schedules (unless monitor.enabled is false) and sets deps.monitorStatus.
  const monitor = startMonitorService(core, {
    notifier: notifications.notifier,
    samples: core.stores.samples,
    observed: homelab.observe,
  });
  return {
    http,
    async stop(monitorWaitMs) {
      const stopping = monitor.stop().then(() => true);
      const settled =
        monitorWaitMs === undefined
          ? await stopping
          : await Promise.race([
              stopping,
              new Promise<false>((r) => setTimeout(() => r(false), monitorWaitMs).unref()),
            ]);
      outage?.stop();
      await notifications.worker.stop();
      await http.close();
      return settled;
    },
  };
}
