/** The shapes the remediation modules share: who acts, what they need, and what an attempt came to. */
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/types.js';
import type { MonitorPort } from '../db/ports.js';
import type { Lease } from '../contracts/leases.js';
import type { StorePorts } from '../db/ports.js';
import type { EventBus } from '../realtime/bus.js';
import type { Pipeline } from '../mcp/pipeline.js';
import type { Condition } from '../contracts/conditions.js';
import type { SkipReason } from './guardrails.js';
import type { IncidentLogDeps } from './incidents.js';
import type { Observer } from './observe.js';
import type { Sleep } from './ports.js';
import type { Reporter } from './report.js';
import type { Runbook } from './runbooks.js';

/** Who holds leases and runs actions: one per process (host, pid, and a random part for pid reuse). */
export interface Holder {
  id: string;
  pid: number;
  host: string;
}

export interface RemediatorDeps {
  config: VigilConfig;
  store: MonitorPort;
  stores: StorePorts;
  bus: EventBus;
  pipeline: Pipeline;
  observer: Observer;
  reporter: Reporter;
  runbooks: ReadonlyMap<Condition, Runbook>;
  incidentLog: IncidentLogDeps;
  logger: Logger;
  now: () => number;
  sleep: Sleep;
  holder: Holder;
  /** Whether a lease's holder process still lives. */
  alive: (lease: Lease) => boolean;
  /**
   * Daemons sharing PostgreSQL: the liveness check for one lease decision, read fresh (daemon
   * holders by their heartbeat, the rest by `alive`). Absent: `alive` alone.
   */
  holderAlive?: (otherwise: (lease: Lease) => boolean) => Promise<(lease: Lease) => boolean>;
  /** Aborted when the monitor stops: verification waits end at once. */
  signal: AbortSignal;
}

export type Outcome =
  | { key: string; verdict: 'skipped'; reason: SkipReason; detail: string }
  | { key: string; verdict: 'escalated'; detail: string }
  | {
      key: string;
      verdict: 'acted';
      runbook: string;
      tool: string;
      args: Record<string, unknown>;
      result: string;
      detail: string;
    };
