/**
 * Prometheus metrics at `/metrics`, on a registry of their own per app (never prom-client's global
 * default, so two daemons in one process — tests — do not share counters).
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
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AuditReads } from '../db/audit-reads.js';
import type { EventBus } from '../realtime/bus.js';
import type { VigilEvent } from '../contracts/events.js';

/** State owned by other subsystems, read at scrape time. */
export interface MetricsSources {
  /** Open incidents, one entry per incident, with their condition. */
  openIncidents?: () => ReadonlyArray<{ condition: string }>;
  /** Notifications waiting in the outbox. */
  outboxDepth?: () => number;
  /** The last finished cycle of each monitor schedule (critical, routine, daily). */
  lastCycles?: () => ReadonlyArray<{ kind: string; durationMs: number | null; finishedAt: number | null }>;
  /** Connected event-stream clients. */
  streamClients?: () => number;
}

export interface MetricsDeps {
  /** The audit log's readers (`stores.audit`). */
  audit: Pick<AuditReads, 'lastId' | 'toolCallsAfter'>;
  bus: EventBus;
  sources?: MetricsSources;
  /** Also export process CPU, memory and event-loop metrics. Default true. */
  processMetrics?: boolean;
}

export interface Metrics {
  registry: Registry;
  /** The exposition text (reads the audit tail and the providers first). */
  render(): Promise<string>;
  contentType: string;
  close(): void;
}

const REMEDIATION_RESULTS = {
  'remediation.succeeded': 'succeeded',
  'remediation.failed': 'failed',
  'remediation.skipped': 'skipped',
} as const;

/** Builds the registry and its collectors. */
export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry();
  const sources = deps.sources ?? {};
  if (deps.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'vigil_' });

  const toolCalls = new Counter({
    name: 'vigil_tool_calls_total',
    help: 'executeTool calls by tool, tier and gate decision (from the audit log, all processes)',
    labelNames: ['tool', 'tier', 'decision'] as const,
    registers: [registry],
  });
  const toolDuration = new Histogram({
    name: 'vigil_tool_call_duration_seconds',
    help: 'executeTool call duration, from the audit log',
    labelNames: ['tool'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const remediations = new Counter({
    name: 'vigil_remediations_total',
    help: 'finished remediations by runbook and result (from remediation.* events)',
    labelNames: ['runbook', 'result'] as const,
    registers: [registry],
  });

  // Tail the audit table from the current end: counters count calls since this daemon started.
  let auditCursor = deps.audit.lastId();
  const drainAudit = (): void => {
    for (;;) {
      const rows = deps.audit.toolCallsAfter(auditCursor, 5000);
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

  const unsubscribeBus = deps.bus.subscribe((event: VigilEvent) => {
    if (!(event.type in REMEDIATION_RESULTS)) return;
    const runbook = typeof event.data?.runbook === 'string' ? event.data.runbook : 'unknown';
    remediations.inc({ runbook, result: REMEDIATION_RESULTS[event.type as keyof typeof REMEDIATION_RESULTS] });
  });

  if (sources.openIncidents) {
    const read = sources.openIncidents;
    new Gauge({
      name: 'vigil_open_incidents',
      help: 'open incidents by condition',
      labelNames: ['condition'] as const,
      registers: [registry],
      collect() {
        this.reset();
        const counts = new Map<string, number>();
        for (const i of read()) counts.set(i.condition, (counts.get(i.condition) ?? 0) + 1);
        for (const [condition, n] of counts) this.set({ condition }, n);
      },
    });
  }
  if (sources.outboxDepth) {
    const read = sources.outboxDepth;
    new Gauge({
      name: 'vigil_notification_outbox_depth',
      help: 'notifications waiting in the outbox',
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  }
  if (sources.lastCycles) {
    const read = sources.lastCycles;
    const lastCycleGauge = (
      name: string,
      help: string,
      value: (run: { durationMs: number; finishedAt: number }) => number,
    ) =>
      new Gauge({
        name,
        help,
        labelNames: ['kind'] as const,
        registers: [registry],
        collect() {
          this.reset();
          for (const run of read()) {
            if (run.durationMs !== null && run.finishedAt !== null)
              this.set({ kind: run.kind }, value({ durationMs: run.durationMs, finishedAt: run.finishedAt }));
          }
        },
      });
    lastCycleGauge(
      'vigil_monitor_last_cycle_duration_seconds',
      'duration of the last cycle of each monitor schedule (observe, detect, open incidents, start remediations)',
      (run) => run.durationMs / 1000,
    );
    lastCycleGauge(
      'vigil_monitor_last_cycle_finished_seconds',
      'when the last cycle of each monitor schedule finished (unix time)',
      (run) => run.finishedAt / 1000,
    );
  }
  if (sources.streamClients) {
    const read = sources.streamClients;
    new Gauge({
      name: 'vigil_event_stream_clients',
      help: 'clients connected to the /events Socket.IO namespace',
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  }

  return {
    registry,
    contentType: registry.contentType,
    async render() {
      drainAudit();
      return registry.metrics();
    },
    close() {
      unsubscribeBus();
    },
  };
}
