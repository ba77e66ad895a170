/**
 * Proxmox cluster overview: green `get_cluster_status`. Also the plumbing the other Proxmox
 * tools share (nodes.ts, guests.ts): getting the client, input schemas, failure messages, formats.
 */
import { z } from 'zod';
import { ToolFailure } from '../../errors.js';
import type { ClusterResource, GuestResource, NodeResource, ProxmoxClient } from '../../clients/proxmox/index.js';
import { defineTool, type ToolContext } from '../tool.js';

/** Proxmox node names (PVE's `pve-node` format); also keeps path characters out of API URLs. */
export const nodeName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/, 'a Proxmox node name (letters, digits, inner dashes)')
  .describe('Proxmox node name, e.g. pve1');
export const vmid = z.number().int().min(100).max(999_999_999).describe('guest id (VMID), 100–999999999');

/** The configured Proxmox client, or the failure that says how to configure one. */
export function proxmoxOf(ctx: ToolContext): ProxmoxClient {
  const px = ctx.deps.clients.proxmox;
  if (!px) throw new ToolFailure('Proxmox is not configured (add a proxmox: section to vigil.yaml)');
  return px;
}

/** "failed to <what>: <why>" from whatever a client call threw. */
export function failure(what: string, err: unknown): ToolFailure {
  if (err instanceof ToolFailure) return err;
  return new ToolFailure(`failed to ${what}: ${err instanceof Error ? err.message : String(err)}`);
}

/** Runs a read; any error becomes "failed to <what>: <why>". */
export async function reading<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw failure(what, err);
  }
}

const GiB = 1024 ** 3;
/** Bytes as GiB (or MiB below 1 GiB) with one decimal. */
export function fmtBytes(n: number | undefined): string {
  if (n === undefined) return '?';
  return n >= GiB ? `${(n / GiB).toFixed(1)} GiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;
}
/** `used` of `total` as a whole percent. */
export function pct(used: number | undefined, total: number | undefined): number | undefined {
  return used === undefined || !total ? undefined : Math.round((used / total) * 1000) / 10;
}
/** Seconds as "3d 4h", "5h 12m", "7m 3s". */
export function fmtUptime(s: number | undefined): string {
  if (!s) return '0s';
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  return `${m}m ${s % 60}s`;
}

export const isGuest = (r: ClusterResource): r is GuestResource => r.type === 'qemu' || r.type === 'lxc';
export const isNode = (r: ClusterResource): r is NodeResource => r.type === 'node';

/** "VM 101" / "CT 101", as Proxmox itself names guests. */
export const guestLabel = (type: 'qemu' | 'lxc', id: number) => `${type === 'qemu' ? 'VM' : 'CT'} ${id}`;

/** A guest as /cluster/resources lists it (list_guests and the power tools' lookups). */
export const guestResourceSchema = z.object({
  type: z.enum(['qemu', 'lxc']).describe('qemu: a virtual machine; lxc: a container'),
  id: z.string().describe('Proxmox resource id, e.g. qemu/101'),
  vmid: z.number().int().describe('guest id (VMID)'),
  node: z.string().describe('node the guest lives on'),
  status: z.string().describe('running, stopped, or unknown (its node does not report it, e.g. offline)'),
  name: z.string().optional(),
  template: z.boolean().optional().describe('a template, never started'),
  lock: z
    .string()
    .optional()
    .describe('why Proxmox holds the guest (backup, migrate, ...); power actions fail meanwhile'),
  tags: z.array(z.string()).optional(),
  hastate: z
    .string()
    .optional()
    .describe('HA manager state when the guest is HA-managed (started, stopped, error, ...)'),
  cpu: z.number().optional().describe('CPU use as a fraction of maxcpu (0.25 = 25%)'),
  maxcpu: z.number().optional().describe('virtual CPUs'),
  mem: z.number().optional().describe('memory used, bytes'),
  maxmem: z.number().optional().describe('memory size, bytes'),
  disk: z.number().optional().describe('disk used, bytes'),
  maxdisk: z.number().optional().describe('disk size, bytes'),
  uptime: z.number().optional().describe('seconds since start'),
});

const clusterStatusOutput = z.object({
  cluster: z
    .object({
      name: z.string(),
      nodes: z.number().int().describe('nodes in the cluster'),
      version: z.number().int().describe('corosync config version'),
      quorate: z.boolean().describe('false: the cluster lost quorum and refuses most changes'),
    })
    .optional()
    .describe('absent on a standalone node'),
  nodes: z.array(
    z.object({
      node: z.string(),
      status: z.string().describe('online, offline or unknown'),
      cpu: z.number().optional().describe('CPU use as a fraction (0.25 = 25%)'),
      memPercent: z.number().optional().describe('memory used, percent'),
      diskPercent: z.number().optional().describe('root disk used, percent'),
      uptime: z.number().optional().describe('seconds since boot'),
    }),
  ),
  guests: z
    .object({
      running: z.number().int(),
      stopped: z.number().int(),
      unknown: z.number().int().describe('guests on nodes that do not report them (offline)'),
      total: z.number().int(),
    })
    .describe('guest counts by status'),
  problems: z.array(z.string()).describe('what needs attention, one sentence each; empty when all is well'),
});

export const getClusterStatus = defineTool({
  name: 'get_cluster_status',
  title: 'Cluster status',
  description:
    'Overview of the Proxmox VE cluster: quorum, which nodes are online with their CPU, memory and disk use, and how many guests run, are stopped, or are unknown (on offline nodes). Start here when asked whether anything is wrong.',
  tier: 'green',
  kind: 'infra',
  input: z.object({}),
  output: clusterStatusOutput,
  target: () => ({}),
  plan: () => 'read the cluster status and resources from Proxmox',
  async handler(_args, ctx) {
    const px = proxmoxOf(ctx);
    const [status, resources] = await reading('read the cluster status', () =>
      Promise.all([px.clusterStatus(ctx.signal), px.clusterResources(undefined, ctx.signal)]),
    );
    const guests = resources.filter(isGuest);
    const nodes = resources.filter(isNode).sort((a, b) => a.node.localeCompare(b.node));
    const count = (s: string) => guests.filter((g) => g.status === s).length;
    const online = status.nodes.filter((n) => n.online).length;
    const problems: string[] = [];
    for (const n of status.nodes) if (!n.online) problems.push(`node ${n.name} is offline`);
    for (const g of guests) {
      if (g.status === 'stopped' && !g.template)
        problems.push(`${guestLabel(g.type, g.vmid)} '${g.name ?? '?'}' on ${g.node} is stopped`);
      if (g.lock) problems.push(`${guestLabel(g.type, g.vmid)} on ${g.node} is locked (${g.lock})`);
      if (g.hastate === 'error') problems.push(`${guestLabel(g.type, g.vmid)} on ${g.node} is in HA state error`);
    }
    // The monitor's thresholds and its open incidents: the same judgement the monitor acts on.
    const limits = ctx.deps.config.monitor.thresholds;
    for (const n of nodes) {
      if (n.status !== 'online') continue;
      for (const [what, value, limit] of [
        ['root disk', pct(n.disk, n.maxdisk), limits.diskPercent],
        ['memory', pct(n.mem, n.maxmem), limits.memoryPercent],
      ] as const) {
        if (value !== undefined && value >= limit)
          problems.push(`${n.node} ${what} at ${value}% (threshold ${limit}%)`);
      }
    }
    for (const i of await ctx.deps.stores.monitor.activeIncidents())
      problems.push(`open incident ${i.key} (${i.status}, ${i.attempts} attempt(s)): ${i.summary}`);
    const head = status.cluster
      ? `cluster ${status.cluster.name}: ${status.cluster.quorate ? 'quorate' : 'NOT quorate'}, ${online}/${status.nodes.length} nodes online`
      : `standalone node: ${online}/${status.nodes.length} online`;
    const lines = nodes.map((n) => {
      const mine = guests.filter((g) => g.node === n.node);
      if (n.status !== 'online') return `${n.node}: ${n.status} (${mine.length} guests unreachable)`;
      return `${n.node}: online, up ${fmtUptime(n.uptime)}, cpu ${pct(n.cpu, 1)}%, memory ${pct(n.mem, n.maxmem)}%, disk ${pct(n.disk, n.maxdisk)}%, ${mine.filter((g) => g.status === 'running').length}/${mine.length} guests running`;
    });
    const summary = `guests: ${count('running')} running, ${count('stopped')} stopped, ${count('unknown')} unknown`;
    return {
      text: [
        head,
        summary,
        ...lines,
        problems.length ? `attention: ${problems.join('; ')}` : 'nothing needs attention',
      ].join('\n'),
      data: {
        cluster: status.cluster,
        nodes: nodes.map((n) => ({
          node: n.node,
          status: n.status,
          cpu: n.cpu,
          memPercent: pct(n.mem, n.maxmem),
          diskPercent: pct(n.disk, n.maxdisk),
          uptime: n.uptime,
        })),
        guests: {
          running: count('running'),
          stopped: count('stopped'),
          unknown: count('unknown'),
          total: guests.length,
        },
        problems,
      },
    };
  },
});

export const clusterTools = [getClusterStatus];
