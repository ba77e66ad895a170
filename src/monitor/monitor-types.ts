/** What the monitor is built from and what one cycle reports; shared by monitor.ts and its step modules. */
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/types.js';
import type { StorePorts } from '../db/ports.js';
import type { Finding, Incident } from '../contracts/incidents.js';
import type { Lease } from '../contracts/leases.js';
import type { EventBus } from '../realtime/bus.js';
import type { Pipeline } from '../mcp/pipeline.js';
import type { InfraClients } from '../clients/index.js';
import type { CycleKind } from '../contracts/conditions.js';
import type { GuardDecision } from './guardrails.js';
import type { ObserverDeps } from './observe.js';
import type { Notifier, SampleStorePort, Sleep } from './ports.js';
import type { Holder, Outcome, RemediatorDeps } from './remediate-types.js';
import type { ToolCall } from './runbooks.js';

export interface MonitorDeps {
  config: VigilConfig;
  stores: StorePorts;
  bus: EventBus;
  pipeline: Pipeline;
  clients: InfraClients;
  logger: Logger;
  now: () => number;
  notifier?: Notifier;
  /** Records disk/memory samples and reads them back for disk.fill_predicted; without it there is no forecast. */
  samples?: SampleStorePort;
  sleep?: Sleep;
  holder?: Holder;
  /** Whether a lease's holder still lives; default: same host → signal 0 to its pid, else trust the expiry. */
  alive?: (lease: Lease) => boolean;
  /** Daemons sharing PostgreSQL: lease-holder liveness from their heartbeats (see RemediatorDeps). */
  holderAlive?: RemediatorDeps['holderAlive'];
  /**
   * Whether this process may act as the monitor now (the leader among daemons sharing
   * PostgreSQL). Absent: always. A standby runs no cycle and recovers nothing.
   */
  leading?: () => boolean;
  /** `vigil once --dry-run`: detect and decide, write nothing, act on nothing. */
  planOnly?: boolean;
  /** Gets each cycle's readings as they are made (the dashboard's homelab view). */
  observed?: ObserverDeps['observed'];
}

/** What one cycle found and did (or, plan-only, would do). */
export interface CycleReport {
  kind: CycleKind;
  /** Not run: the previous cycle of this kind still runs, this daemon stands by, or the monitor is stopping. */
  skipped?: 'overlap' | 'standby' | 'stopping';
  findings: Finding[];
  suppressed: Finding[];
  opened: Incident[];
  resolved: Incident[];
  /** Plan-only: per active or would-open incident, the guardrail verdict and the call. */
  wouldDo: { key: string; summary: string; decision: GuardDecision; call: ToolCall | null }[];
  /** Remediations this cycle started; resolves when they have finished. */
  settled: Promise<Outcome[]>;
  durationMs: number;
}
