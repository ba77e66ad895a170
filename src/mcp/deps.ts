/**
 * What tool handlers receive through `ctx.deps`. Built once in `src/cli.ts` (or a test harness)
 * and passed down; nothing here is fetched from a module-level singleton.
 */
import type { VigilConfig } from '../config/types.js';
import type { StorePorts } from '../db/ports.js';
import type { EventBus } from '../realtime/bus.js';
import type { InfraClients } from '../clients/index.js';

export interface ToolDeps {
  config: VigilConfig;
  stores: StorePorts;
  bus: EventBus;
  clients: InfraClients;
  /** Milliseconds since the epoch; injectable so tests can move time. */
  now(): number;
  /** The monitor's own report, when a monitor runs in this process. */
  monitorStatus?: () => Promise<{ running: boolean; detail?: string; [key: string]: unknown }>;
}
