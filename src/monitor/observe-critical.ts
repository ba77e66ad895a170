/**
 * The critical cycle's observation: the cluster, SSH reachability of nodes Proxmox reports offline
 * (or of every node without Proxmox), and for crash candidates the stop evidence in the nodes' task
 * lists, `onboot`, and the guest agents.
 */
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/types.js';
import type { InfraClients } from '../clients/index.js';
import {
  crashCandidates,
  type CriticalObservation,
  type CriticalState,
  type GuestObs,
  type StopEvidence,
} from './detect.js';
import type { createPveReader } from './observe-pve.js';
import { powerEvidence } from './observe-readings.js';
import { errText, type Reads } from './observe-reads.js';
import type { Observation } from './homelab.js';

/** How far back the task list is read for crash evidence. */
const TASK_LOOKBACK = 500;

/** What the critical observation reads through and reports to. */
export interface CriticalDeps {
  config: VigilConfig;
  clients: InfraClients;
  logger: Logger;
  now: () => number;
  /** Guests stopped through vigil since `since` (from the audit log). */
  stopCalls: (since: number) => Promise<ReadonlyMap<number, number>>;
  /** Gets the cycle's readings (the dashboard's homelab view); must not throw. */
  observed?: (o: Observation) => void;
  reads: Pick<Reads, 'cluster' | 'sshReachable'>;
  pve: Pick<ReturnType<typeof createPveReader>, 'onboot' | 'agents'>;
}

/** Creates the critical cycle's observation. */
export function createCriticalObservation(deps: CriticalDeps) {
  const { config, clients, logger, reads, pve } = deps;

  async function evidence(candidates: readonly GuestObs[], signal?: AbortSignal): Promise<Map<number, StopEvidence>> {
    const out = new Map<number, StopEvidence>();
    const byNode = new Map<string, number[]>();
    for (const g of candidates) byNode.set(g.node, [...(byNode.get(g.node) ?? []), g.vmid]);
    await Promise.all(
      [...byNode].map(async ([node, vmids]) => {
        try {
          const { tasks } = await clients.proxmox!.listTasks(node, { source: 'all', limit: TASK_LOOKBACK }, signal);
          for (const [vmid, ev] of powerEvidence(tasks, vmids)) out.set(vmid, ev);
        } catch (err) {
          logger.warn({ node, err: errText(err) }, 'monitor: reading the task list failed');
          for (const vmid of vmids) out.set(vmid, 'unknown');
        }
      }),
    );
    return out;
  }

  /** Cluster, SSH for offline nodes, and stop evidence for crash candidates. */
  return async function critical(prev: CriticalState, signal?: AbortSignal): Promise<CriticalObservation> {
    const c = await reads.cluster(signal);
    const sshOnlyNodes = clients.proxmox ? [] : config.nodes.filter((n) => n.ssh).map((n) => n.name);
    const probe = c ? c.nodes.filter((n) => !n.online).map((n) => n.name) : sshOnlyNodes;
    const reach = await Promise.all(probe.map(async (n) => [n, await reads.sshReachable(n, signal)] as const));
    const online = new Set(c?.nodes.filter((n) => n.online).map((n) => n.name) ?? []);
    const candidates = c ? crashCandidates(prev, c.guests, online) : [];
    const sshReachableNow = new Map(reach);
    deps.observed?.({ kind: 'critical', at: deps.now(), cluster: c, sshReachable: sshReachableNow });
    return {
      cluster: c,
      sshReachable: sshReachableNow,
      sshOnlyNodes,
      evidence: candidates.length ? await evidence(candidates, signal) : new Map(),
      onboot: await pve.onboot(
        candidates.filter((g) => !prev.guests.has(g.vmid)),
        signal,
      ),
      agents: await pve.agents(c, signal),
      stopCalls: candidates.length ? await deps.stopCalls(deps.now() - 24 * 3_600_000) : new Map(),
    };
  };
}
