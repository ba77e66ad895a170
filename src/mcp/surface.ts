/**
 * What an MCP endpoint needs for resources and prompts beyond tools, taken from one process's
 * assembled runtime (the core) where the endpoint is built: HTTP (src/api/app.ts) and stdio (src/cli.ts).
 */
import type { VigilConfig } from '../config/types.js';
import type { StorePorts } from '../db/ports.js';
import type { EventBus } from '../realtime/bus.js';
import type { Redactor } from '../safety/redact.js';
import type { Pipeline } from './pipeline.js';
import type { PromptDeps } from './prompts.js';
import type { ResourceDeps } from './resources.js';

/** The parts of the core the surface reads (structural, so this layer does not import the core). */
export interface SurfaceSource {
  config: VigilConfig;
  stores: StorePorts;
  bus: EventBus;
  pipeline: Pipeline;
  redact: Redactor;
  deps: { now: () => number };
}

/**
 * Resource and prompt dependencies for `createMcpSession`; `observations` is the monitor's feed
 * when a monitor runs in this process (the daemon), so cluster subscribers hear of changes no event names.
 */
export function mcpSurface(
  core: SurfaceSource,
  observations?: ResourceDeps['observations'],
): { resources: ResourceDeps; prompts: PromptDeps } {
  const { config, stores, bus, pipeline, redact } = core;
  return {
    resources: { stores, bus, pipeline, redact, now: core.deps.now, ...(observations ? { observations } : {}) },
    prompts: { config, stores, redact },
  };
}
