/**
 * Observation: the monitor's reads, straight through the clients (docs/ARCHITECTURE.md §1: the monitor may
 * read without executeTool; polling through it would flood the audit log). Each read returns a
 * value; a failed read is "could not tell", never "healthy". This module assembles the observer
 * and holds the preconditions; the single reads are observe-reads.ts, the cycles' observations
 * observe-critical.ts and observe-routine.ts, recovery checks observe-verify.ts.
 */
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/types.js';
import type { InfraClients } from '../clients/index.js';
import { createPveReader } from './observe-pve.js';
import { createReads } from './observe-reads.js';
import { createCriticalObservation } from './observe-critical.js';
import { createRoutineObservation } from './observe-routine.js';
import { createRecoveryCheck } from './observe-verify.js';
import type { SampleStorePort } from './ports.js';
import type { Observation } from './homelab.js';

export { fillLookbackMs, fillOptionsOf } from './observe-verify.js';

export interface ObserverDeps {
  config: VigilConfig;
  clients: InfraClients;
  logger: Logger;
  /** Guests stopped through vigil since `since` (from the audit log). */
  stopCalls: (since: number) => Promise<ReadonlyMap<number, number>>;
  now: () => number;
  /** Stored disk samples, for verifying `disk.fill_predicted`; without them it never verifies. */
  samples?: SampleStorePort;
  /** Gets each critical and routine cycle's readings (the dashboard's homelab view); must not throw. */
  observed?: (o: Observation) => void;
}

/** Creates the observer over the configured clients. */
export function createObserver(deps: ObserverDeps) {
  const { config, clients, logger, now } = deps;
  const reads = createReads({ config, clients, logger });
  const { cluster, sshReachable } = reads;
  const pve = createPveReader({ config, clients, logger, now, cluster });
  const observed = deps.observed ? { observed: deps.observed } : {};

  return {
    sshReachable,
    cluster,

    /** Precondition: why the guest must not be touched now (locked, or a vzdump of it running), or null. */
    guestLocked: pve.guestLocked,

    /** Precondition: why the node is not fit for an action on it (offline in the cluster), or null. */
    async nodeOffline(node: string, signal?: AbortSignal): Promise<string | null> {
      const c = await cluster(signal);
      return c?.nodes.find((n) => n.name === node)?.online === false ? `node ${node} is not online` : null;
    },

    /** Precondition: a running backup (vzdump) on the node, or null. Unreadable task lists do not block. */
    async backupRunning(node: string, signal?: AbortSignal): Promise<string | null> {
      if (!clients.proxmox) return null;
      try {
        const { tasks } = await clients.proxmox.listTasks(node, { source: 'active', typefilter: 'vzdump' }, signal);
        return tasks.some((t) => t.running) ? `a backup (vzdump) is running on ${node}` : null;
      } catch {
        return null;
      }
    },

    /** Cluster, SSH for offline nodes, and stop evidence for crash candidates. */
    critical: createCriticalObservation({
      config,
      clients,
      logger,
      now,
      stopCalls: deps.stopCalls,
      ...observed,
      reads,
      pve,
    }),

    /** Disk and memory (cluster, or SSH without Proxmox), configured services, HTTP checks. */
    routine: createRoutineObservation({ config, clients, logger, now, ...observed, reads, pve }),

    /** Whether an incident's target has recovered, by the runbook's check. Undecidable means no. */
    recovered: createRecoveryCheck({
      config,
      clients,
      now,
      ...(deps.samples ? { samples: deps.samples } : {}),
      reads,
      pve,
    }),
  };
}

export type Observer = ReturnType<typeof createObserver>;
