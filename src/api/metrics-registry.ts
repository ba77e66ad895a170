/**
 * The prom-client side of `/metrics` (see ./metrics.ts for where each number comes from): the
 * registry, its counters and the gauges read from providers at scrape time. Imported on the first
 * scrape, so a daemon nobody scrapes does not hold prom-client.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** A value read now or from a store (asynchronously). */
type Read<T> = () => T | Promise<T>;

/** State owned by other subsystems, read at scrape time. */
export interface MetricsSources {
  /** Open incidents, one entry per incident, with their condition. */
  openIncidents?: Read<ReadonlyArray<{ condition: string }>>;
  /** Notifications waiting in the outbox. */
  outboxDepth?: Read<number>;
  /** The last finished cycle of each monitor schedule (critical, routine, daily). */
  lastCycles?: Read<ReadonlyArray<{ kind: string; durationMs: number | null; finishedAt: number | null }>>;
  /** Connected event-stream clients. */
  streamClients?: Read<number>;
  /** This daemon's monitor role among daemons sharing PostgreSQL (a single daemon always leads). */
  leadership?: Read<{ leading: boolean; epoch: number | null }>;
  /** Whether the database answers and takes writes (PostgreSQL reachable, disk not full). */
  storageReachable?: Read<boolean>;
}

/** A remediation tally kept since daemon start: runbook, result and how many. */
export type RemediationCount = readonly [runbook: string, result: string, count: number];

export interface RegistryDeps {
  sources: MetricsSources;
  /** Also export process CPU, memory and event-loop metrics. */
  processMetrics: boolean;
  /** The remediations counted so far, read at each scrape. */
  remediations: () => Iterable<RemediationCount>;
}

/** The registry and the two instruments fed from the audit tail. */
export interface MetricsRegistry {
  registry: Registry;
  toolCalls: Counter<'tool' | 'tier' | 'decision'>;
  toolDuration: Histogram<'tool'>;
}

/**
 * Reads a provider; a provider that fails (the database unreachable) leaves its gauge empty for this
 * scrape instead of failing the whole scrape: vigil_database_reachable must still be read then.
 */
async function tryRead<T>(read: Read<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch {
    return undefined;
  }
}

/** Builds the registry and its collectors. */
export function buildRegistry(deps: RegistryDeps): MetricsRegistry {
  const registry = new Registry();
  const { sources } = deps;
  if (deps.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'vigil_' });

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
  const remediations = deps.remediations;
  new Counter({
    name: 'vigil_remediations_total',
    help: 'finished remediations by runbook and result (from remediation.* events)',
    labelNames: ['runbook', 'result'] as const,
    registers: [registry],
    // The tallies are kept from daemon start, before prom-client is loaded; each scrape copies them.
    collect() {
      this.reset();
      for (const [runbook, result, count] of remediations()) this.inc({ runbook, result }, count);
    },
  });

  if (sources.openIncidents) {
    const read = sources.openIncidents;
    new Gauge({
      name: 'vigil_open_incidents',
      help: 'open incidents by condition',
      labelNames: ['condition'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        const counts = new Map<string, number>();
        for (const i of (await tryRead(read)) ?? []) counts.set(i.condition, (counts.get(i.condition) ?? 0) + 1);
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
      async collect() {
        const depth = await tryRead(read);
        if (depth === undefined) this.reset();
        else this.set(depth);
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
        async collect() {
          this.reset();
          for (const run of (await tryRead(read)) ?? []) {
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
      async collect() {
        this.set(await read());
      },
    });
  }
  if (sources.leadership) {
    const read = sources.leadership;
    new Gauge({
      name: 'vigil_leader',
      help: '1 while this daemon is the active monitor (leads), 0 while it stands by',
      registers: [registry],
      async collect() {
        this.set((await read()).leading ? 1 : 0);
      },
    });
    new Gauge({
      name: 'vigil_leader_epoch',
      help: 'the fencing epoch this daemon leads under; 0 while it does not lead',
      registers: [registry],
      async collect() {
        this.set((await read()).epoch ?? 0);
      },
    });
  }
  if (sources.storageReachable) {
    const read = sources.storageReachable;
    new Gauge({
      name: 'vigil_database_reachable',
      help: '1 while the database answers and takes writes (PostgreSQL reachable, disk not full), else 0',
      registers: [registry],
      async collect() {
        this.set((await tryRead(read)) ? 1 : 0);
      },
    });
  }

  return { registry, toolCalls, toolDuration };
}
