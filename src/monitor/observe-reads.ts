/**
 * The observer's single reads through the clients: one read-only SSH command, whether a node
 * answers over SSH, the cluster's resources, a node's disk and memory over SSH, one HTTP check.
 * A failed read is "could not tell", never "healthy"; what a cycle makes of them is elsewhere.
 */
import type { Logger } from 'pino';
import type { HttpCheckConfig, NodeConfig, VigilConfig } from '../config/types.js';
import type { InfraClients } from '../clients/index.js';
import { buildCommand, parseDf, parseFree } from '../clients/commands/index.js';
import { sshTargetFor } from '../clients/ssh/index.js';
import type { NodeObs } from './detect.js';
import { clusterReading, pct } from './observe-readings.js';
import type { ClusterReading } from './homelab.js';

const SSH_PROBE_MS = 5000;

/** An error's message, for a log line. */
export const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** What the reads go through. */
export interface ReadsDeps {
  config: VigilConfig;
  clients: InfraClients;
  logger: Logger;
}

/** Creates the single reads over the configured clients. */
export function createReads(deps: ReadsDeps) {
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

  /** The cluster's nodes and guests from Proxmox; null without Proxmox or when the read fails. */
  async function cluster(signal?: AbortSignal): Promise<ClusterReading | null> {
    if (!clients.proxmox) return null;
    try {
      return clusterReading(await clients.proxmox.clusterResources(undefined, signal));
    } catch (err) {
      logger.warn({ err: errText(err) }, 'monitor: reading the cluster failed');
      return null;
    }
  }

  /** Disk and memory of a node over SSH (without Proxmox); offline when it cannot be read. */
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

  return { nodeConfig, ssh, sshReachable, cluster, usageOverSsh };
}

/** The single reads of one observer. */
export type Reads = ReturnType<typeof createReads>;

/** One configured HTTP check, probed once. */
export function probe(http: NonNullable<InfraClients['http']>, check: HttpCheckConfig, signal?: AbortSignal) {
  return http.probe({
    url: check.url,
    expectStatus: check.expectStatus,
    ...(check.bodyMatch !== undefined ? { bodyMatch: check.bodyMatch } : {}),
    timeoutMs: check.timeoutSeconds * 1000,
    tls: check.tls,
    ...(signal ? { signal } : {}),
  });
}
