/**
 * Observation: the monitor's reads, straight through the clients (docs/ARCHITECTURE.md §1: the monitor may
 * read without executeTool; polling through it would flood the audit log). Each read returns a
 * value; a failed read is "could not tell", never "healthy".
 */
import type { Logger } from 'pino';
import type { HttpCheckConfig, VigilConfig, NodeConfig } from '../config/types.js';
import type { InfraClients } from '../clients/index.js';
import { buildCommand, parseDf, parseFree, parseSystemctlShow } from '../clients/commands/index.js';
import { sshTargetFor } from '../clients/ssh/index.js';
import type { Incident } from '../contracts/incidents.js';
import {
  crashCandidates,
  type CriticalObservation,
  type CriticalState,
  type GuestObs,
  type NodeObs,
  type StopEvidence,
} from './detect.js';
import type { RoutineObservation } from './detect-routine.js';
import type { RecoveryCheck } from './runbooks.js';
import { createPveReader } from './observe-pve.js';
import { clusterReading, pct, powerEvidence } from './observe-readings.js';
import { decideFillPredicted, trendSegment } from '../util/trend.js';
import type { SampleStorePort } from './ports.js';
import type { ClusterReading, Observation } from './homelab.js';

/** How far back the task list is read for crash evidence. */
const TASK_LOOKBACK = 500;
const SSH_PROBE_MS = 5000;

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

const DAY_MS = 86_400_000;

/** decideFillPredicted's options from `monitor.forecast`. */
export function fillOptionsOf(config: VigilConfig) {
  const f = config.monitor.forecast;
  return { windowDays: f.windowDays, minR2: f.minR2, minSamples: f.minSamples, minSpanHours: f.minSpanHours };
}

/** How far back a fill trend is fitted: as much history as the horizon it predicts, at least a day. */
export function fillLookbackMs(config: VigilConfig): number {
  return Math.max(1, config.monitor.forecast.windowDays) * DAY_MS;
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Creates the observer over the configured clients. */
export function createObserver(deps: ObserverDeps) {
  const { config, clients, logger } = deps;
  const nodeConfig = (name: string): NodeConfig | undefined => config.nodes.find((n) => n.name === name);

  async function ssh(node: NodeConfig, spec: Parameters<typeof buildCommand>[0], signal?: AbortSignal) {
    if (!node.ssh || !clients.ssh) throw new Error(`no SSH for ${node.name}`);
    const command = buildCommand(spec);
    // Observation only reads; every change goes through executeTool (docs/ARCHITECTURE.md §1).
    if (command.mutating) throw new Error(`observe may not run the mutating command ${spec.kind}`);
    const timeoutMs = Math.min(SSH_PROBE_MS, node.ssh.commandTimeoutSeconds * 1000);
    return clients.ssh.exec(sshTargetFor(node.name, node.ssh), command, { timeoutMs, ...(signal ? { signal } : {}) });
  }

  /** True when the node answers a harmless command over SSH. */
  async function sshReachable(name: string, signal?: AbortSignal): Promise<boolean> {
    const node = nodeConfig(name);
    if (!node?.ssh || !clients.ssh) return false;
    try {
      return (await ssh(node, { kind: 'uptime' }, signal)).exitCode === 0;
    } catch {
      return false;
    }
  }

  async function cluster(signal?: AbortSignal): Promise<ClusterReading | null> {
    if (!clients.proxmox) return null;
    try {
      return clusterReading(await clients.proxmox.clusterResources(undefined, signal));
    } catch (err) {
      logger.warn({ err: errText(err) }, 'monitor: reading the cluster failed');
      return null;
    }
  }

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

  const pve = createPveReader({ config, clients, logger, now: deps.now, cluster });

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
    async critical(prev: CriticalState, signal?: AbortSignal): Promise<CriticalObservation> {
      const c = await cluster(signal);
      const sshOnlyNodes = clients.proxmox ? [] : config.nodes.filter((n) => n.ssh).map((n) => n.name);
      const probe = c ? c.nodes.filter((n) => !n.online).map((n) => n.name) : sshOnlyNodes;
      const reach = await Promise.all(probe.map(async (n) => [n, await sshReachable(n, signal)] as const));
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
    },

    /** Disk and memory (cluster, or SSH without Proxmox), configured services, HTTP checks. */
    async routine(signal?: AbortSignal): Promise<RoutineObservation> {
      const c = await cluster(signal);
      let nodes: NodeObs[] | null = c?.nodes ?? null;
      if (!clients.proxmox)
        nodes = await Promise.all(config.nodes.filter((n) => n.ssh).map((n) => usageOverSsh(n, signal)));
      const online = (name: string) => (nodes ? nodes.find((n) => n.name === name)?.online !== false : true);
      const services = new Map<string, Map<string, string>>();
      await Promise.all(
        config.nodes
          .filter((n) => n.ssh && n.services.length > 0 && online(n.name))
          .map(async (n) => {
            try {
              const states = new Map<string, string>();
              for (const unit of n.services) {
                const r = await ssh(n, { kind: 'show', unit }, signal);
                if (r.exitCode === 0) states.set(unit, parseSystemctlShow(r.stdout).activeState);
              }
              services.set(n.name, states);
            } catch (err) {
              logger.warn({ node: n.name, err: errText(err) }, 'monitor: reading services failed');
            }
          }),
      );
      const http = new Map<string, { ok: boolean; error?: string; node?: string; service?: string }>();
      await Promise.all(
        config.httpChecks.map(async (check) => {
          if (!clients.http) return;
          const r = await probe(clients.http, check, signal);
          if (check.vmid !== undefined) {
            if (r.ok) pve.httpDown.delete(check.vmid);
            else pve.httpDown.add(check.vmid);
          }
          http.set(check.name, {
            ok: r.ok,
            ...(r.error ? { error: r.error } : {}),
            ...(check.node ? { node: check.node } : {}),
            ...(check.service ? { service: check.service } : {}),
          });
        }),
      );
      deps.observed?.({ kind: 'routine', at: deps.now(), cluster: c, nodes, services, http });
      return { nodes, services, http, ...(c ? { pve: await pve.readings(c, signal) } : {}) };
    },

    /** Whether an incident's target has recovered, by the runbook's check. Undecidable means no. */
    async recovered(check: RecoveryCheck, incident: Incident, signal?: AbortSignal): Promise<boolean> {
      const d = incident.details;
      switch (check) {
        case 'condition_cleared':
          // Notify-only conditions resolve through detection, never through a verification poll.
          return false;
        case 'agent_responding':
          return pve.agentResponding(incident, signal);
        case 'guest_running': {
          const c = await cluster(signal);
          return c?.guests.find((g) => g.vmid === Number(incident.target))?.status === 'running';
        }
        case 'node_online': {
          const c = await cluster(signal);
          if (c?.nodes.find((n) => n.name === incident.target)?.online) return true;
          return !clients.proxmox && (await sshReachable(incident.target, signal));
        }
        case 'service_active': {
          const node = nodeConfig(String(d.node));
          if (!node) return false;
          try {
            const r = await ssh(node, { kind: 'show', unit: String(d.unit) }, signal);
            return r.exitCode === 0 && parseSystemctlShow(r.stdout).activeState === 'active';
          } catch {
            return false;
          }
        }
        case 'http_ok': {
          const check = config.httpChecks.find((c) => c.name === incident.target);
          if (!check || !clients.http) return false;
          return (await probe(clients.http, check, signal)).ok;
        }
        case 'fill_not_predicted': {
          if (!deps.samples) return false;
          const c = await cluster(signal);
          const n =
            c?.nodes.find((x) => x.name === incident.target) ??
            (clients.proxmox ? undefined : await usageOverSsh(nodeConfig(incident.target), signal));
          if (n?.diskPercent === undefined) return false;
          // The reading is judged with the stored trend but not stored: samples stay one per routine interval.
          const at = deps.now();
          const points = [
            ...(await deps.samples.series(incident.target, 'disk.percent', at - fillLookbackMs(config))),
            { at, value: n.diskPercent },
          ];
          return !decideFillPredicted(trendSegment(points), at, fillOptionsOf(config)).raise;
        }
        case 'disk_below_threshold':
        case 'memory_below_threshold': {
          const c = await cluster(signal);
          const n =
            c?.nodes.find((x) => x.name === incident.target) ??
            (clients.proxmox ? undefined : await usageOverSsh(nodeConfig(incident.target), signal));
          const value = check === 'disk_below_threshold' ? n?.diskPercent : n?.memoryPercent;
          const limit =
            check === 'disk_below_threshold'
              ? config.monitor.thresholds.diskPercent
              : config.monitor.thresholds.memoryPercent;
          return value !== undefined && value < limit;
        }
      }
    },
  };

  async function usageOverSsh(node: NodeConfig | undefined, signal?: AbortSignal): Promise<NodeObs> {
    if (!node) return { name: '', online: false };
    try {
      const df = await ssh(node, { kind: 'df' }, signal);
      const free = await ssh(node, { kind: 'free' }, signal);
      const root = parseDf(df.stdout).find((d) => d.mount === '/');
      const mem = parseFree(free.stdout);
      return {
        name: node.name,
        online: true,
        diskPercent: root?.usedPercent,
        memoryPercent: pct(mem.totalBytes - mem.availableBytes, mem.totalBytes),
      };
    } catch {
      return { name: node.name, online: false };
    }
  }
}

/** One configured HTTP check, probed once. */
function probe(http: NonNullable<InfraClients['http']>, check: HttpCheckConfig, signal?: AbortSignal) {
  return http.probe({
    url: check.url,
    expectStatus: check.expectStatus,
    ...(check.bodyMatch !== undefined ? { bodyMatch: check.bodyMatch } : {}),
    timeoutMs: check.timeoutSeconds * 1000,
    tls: check.tls,
    ...(signal ? { signal } : {}),
  });
}

export type Observer = ReturnType<typeof createObserver>;
