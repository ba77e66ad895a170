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
}

export interface Core {
  config: VigilConfig;
  logger: Logger;
  stores: StorePorts;
  bus: EventBus;
  pipeline: Pipeline;
  deps: ToolDeps;
  redact: Redactor;
  close(): Promise<void>;
}

/** Builds the core over the configured database. */
export function createCore(options: CoreOptions): Core {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const stores = options.stores ?? createSqlitePorts(openDatabase(config.database.path));
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
    close: async () => {
      await closeClients(clients);
      await stores.close();
    },
  };
}

/**
 * Opens the configured database and builds the core over it: what every command uses. (The
 * PostgreSQL engine, `database.url`, is opened here too: its connection is asynchronous.)
 */
export async function openCore(options: CoreOptions): Promise<Core> {
  return createCore(options);
}
