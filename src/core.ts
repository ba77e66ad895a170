/**
 * The composition root shared by every process (`serve`, `mcp`, `once`, tests): database, stores,
 * event bus, clients and the executeTool pipeline, built from config with dependencies passed in.
 */
import type { Logger } from 'pino';
import type { VigilConfig } from './config/types.js';
import { secretValues } from './config/index.js';
import { openDatabase } from './db/database.js';
import { createSqlitePorts } from './db/sqlite-ports.js';
import type { StorePorts } from './db/ports.js';
import { singleHa, type Ha, type HaView } from './db/ha.js';
import { newDaemonId, openStorage } from './db/open.js';
import { createEventBus, type EventBus } from './realtime/bus.js';
import { createPipeline, type Pipeline } from './mcp/pipeline.js';
import { allTools } from './mcp/tools/index.js';
import type { ToolDeps } from './mcp/deps.js';
import type { ToolDefinition } from './mcp/tool.js';
import { createRedactor, type Redactor } from './safety/redact.js';
import { closeClients, type InfraClients } from './clients/index.js';

export interface CoreOptions {
  config: VigilConfig;
  logger: Logger;
  clients?: InfraClients;
  now?: () => number;
  /** Replace the tool list (tests add no-op tools; benchmarks too). */
  tools?: ToolDefinition[];
  /** Stores already opened (PostgreSQL, see openCore); absent = the SQLite file at database.path. */
  stores?: StorePorts;
  /** This process's HA view over `stores`; absent = a single daemon (SQLite). */
  ha?: Ha;
}

export interface Core {
  config: VigilConfig;
  logger: Logger;
  stores: StorePorts;
  bus: EventBus;
  pipeline: Pipeline;
  deps: ToolDeps;
  redact: Redactor;
  /**
   * This process among daemons sharing the database (read-only for everyone but the daemon):
   * `{ engine, role: 'single' | 'leader' | 'standby', epoch, since, daemons() }`.
   */
  ha: HaView;
  /** The same, with what the daemon drives (start, stop, leading(), the fence, lease liveness). */
  leadership: Ha;
  close(): Promise<void>;
}

/**
 * The heartbeat interval for daemons sharing PostgreSQL: a third of the critical interval, so a
 * standby takes over (the lock freed two beats after the leader's last) within one critical interval.
 */
export function heartbeatIntervalMs(config: VigilConfig): number {
  return Math.max(1000, Math.round((config.monitor.schedules.criticalSeconds * 1000) / 3));
}

/** Builds the core over the configured database. */
export function createCore(options: CoreOptions): Core {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const stores = options.stores ?? createSqlitePorts(openDatabase(config.database.path));
  const ha = options.ha ?? singleHa(newDaemonId(), now, heartbeatIntervalMs(config));
  const redact = createRedactor(secretValues(config));
  const bus = createEventBus({
    redact,
    store: stores.events,
    now,
    onListenerError: (err) =>
      logger.error({ err: err instanceof Error ? err.message : String(err) }, 'event listener failed'),
  });
  const clients = options.clients ?? {};
  const deps: ToolDeps = { config, stores, bus, clients, now };
  const pipeline = createPipeline({ tools: options.tools ?? allTools(), deps, logger, redact });
  return {
    config,
    logger,
    stores,
    bus,
    pipeline,
    deps,
    redact,
    ha,
    leadership: ha,
    close: async () => {
      await closeClients(clients);
      await ha.stop();
      await stores.close();
    },
  };
}

/**
 * Opens the configured database (`database.url`: PostgreSQL, else the SQLite file) and builds the
 * core over it: what every command uses. `compete`: this process is a daemon that competes for
 * leadership among daemons sharing PostgreSQL (`vigil serve`); the others never act as the monitor.
 */
export async function openCore(options: CoreOptions & { compete?: boolean }): Promise<Core> {
  const now = options.now ?? Date.now;
  const { stores, ha } = await openStorage({
    database: options.config.database,
    now,
    compete: options.compete ?? false,
    intervalMs: heartbeatIntervalMs(options.config),
  });
  return createCore({ ...options, stores, ha });
}
