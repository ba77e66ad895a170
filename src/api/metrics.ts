/**
 * Prometheus metrics at `/metrics`, on a registry of their own per app (never prom-client's global
 * default, so two daemons in one process — tests — do not share counters). prom-client itself
 * (./metrics-registry.ts) is imported on the first scrape; what must be counted from daemon start
 * (the audit cursor, remediation tallies) is kept here until then. Process metrics that prom-client
 * samples over time (GC durations, event-loop lag) start with the first scrape.
 *
 * Where each number comes from, so that it stays honest across processes:
 * - tool calls and their durations: the audit log, tailed by id at each scrape. Every executeTool
 *   call writes exactly one audit row, from this daemon, the monitor or a `vigil mcp` process
 *   sharing the database, so the counters see them all (counted from daemon start).
 * - remediations: `remediation.*` events from the bus (which also picks up other processes' events).
 * - open incidents, outbox depth, monitor cycles: providers passed in by whoever owns that state
 *   (the daemon reads them from their tables, so they hold whichever process runs the monitor);
 *   a metric whose provider is absent is not exported at all rather than exported as a fake zero.
 *   Cycles are gauges of the last run per schedule: the runs table keeps only that, and a
 *   histogram fed by sampling it at scrape time would silently miss cycles.
 */
import type { AuditPort } from '../db/ports.js';
import type { EventBus } from '../realtime/bus.js';
import type { VigilEvent } from '../contracts/events.js';
import type { MetricsRegistry, MetricsSources, RemediationCount } from './metrics-registry.js';

export type { MetricsSources } from './metrics-registry.js';

export interface MetricsDeps {
  /** The audit log's readers (`stores.audit`). */
  audit: Pick<AuditPort, 'lastId' | 'toolCallsAfter'>;
  bus: EventBus;
  sources?: MetricsSources;
  /** Also export process CPU, memory and event-loop metrics. Default true. */
  processMetrics?: boolean;
}

/** One scrape: the exposition text and its content type. */
export interface Scrape {
  contentType: string;
  text: string;
}

export interface Metrics {
  /** Reads the audit tail and the providers, then renders the exposition text. */
  render(): Promise<Scrape>;
  close(): void;
}

const REMEDIATION_RESULTS = {
  'remediation.succeeded': 'succeeded',
  'remediation.failed': 'failed',
  'remediation.skipped': 'skipped',
} as const;

/** Starts counting (audit cursor, remediations); the registry is built on the first `render`. */
export function createMetrics(deps: MetricsDeps): Metrics {
  // Tail the audit table from the current end: counters count calls since this daemon started.
  let auditCursor = 0;
  // Unreadable at start: counted from the first id instead (never a failed scrape for it).
  const cursorRead = deps.audit.lastId().then(
    (id) => void (auditCursor = id),
    () => undefined,
  );
  const remediations = new Map<string, { runbook: string; result: string; count: number }>();
  let built: Promise<MetricsRegistry> | undefined;

  const unsubscribeBus = deps.bus.subscribe((event: VigilEvent) => {
    if (!(event.type in REMEDIATION_RESULTS)) return;
    const runbook = typeof event.data?.runbook === 'string' ? event.data.runbook : 'unknown';
    const result = REMEDIATION_RESULTS[event.type as keyof typeof REMEDIATION_RESULTS];
    const key = JSON.stringify([runbook, result]);
    const tally = remediations.get(key) ?? { runbook, result, count: 0 };
    tally.count += 1;
    remediations.set(key, tally);
  });

  const build = (): Promise<MetricsRegistry> => {
    if (!built) {
      const building = import('./metrics-registry.js').then(({ buildRegistry }) =>
        buildRegistry({
          sources: deps.sources ?? {},
          processMetrics: deps.processMetrics !== false,
          remediations: function* (): Iterable<RemediationCount> {
            for (const t of remediations.values()) yield [t.runbook, t.result, t.count];
          },
        }),
      );
      // A failed import is tried again by the next scrape.
      building.catch(() => {
        if (built === building) built = undefined;
      });
      built = building;
    }
    return built;
  };

  const drainAudit = async ({ toolCalls, toolDuration }: MetricsRegistry): Promise<void> => {
    await cursorRead;
    for (;;) {
      const rows = await deps.audit.toolCallsAfter(auditCursor, 5000);
      for (const row of rows) {
        // Unknown tool names come from callers; labelling them would let anyone grow the series.
        const tool = row.decision === 'unknown_tool' ? '(unknown)' : row.tool;
        toolCalls.inc({ tool, tier: row.tier ?? 'none', decision: row.decision });
        if (row.decision !== 'unknown_tool') toolDuration.observe({ tool }, row.durationMs / 1000);
        auditCursor = row.id;
      }
      if (rows.length < 5000) return;
    }
  };

  return {
    async render() {
      const metrics = await build();
      // The audit log unreadable (the database unreachable): the counters wait for the next scrape.
      await drainAudit(metrics).catch(() => undefined);
      return { contentType: metrics.registry.contentType, text: await metrics.registry.metrics() };
    },
    close() {
      unsubscribeBus();
    },
  };
}
