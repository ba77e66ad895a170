/**
 * Proxmox nodes: green `list_nodes`, `get_node_status`, `list_storage`, `list_tasks`;
 * red `reboot_node`, `shutdown_node`.
 */
import { z } from 'zod';
import type { NodeCommand } from '../../clients/proxmox/index.js';
import { defineTool } from '../tool.js';
import { failure, fmtBytes, fmtUptime, nodeName, pct, proxmoxOf, reading, vmid } from './cluster.js';

const usage = {
  cpu: z.number().optional().describe('CPU use as a fraction of all cores (0.25 = 25%)'),
  maxcpu: z.number().optional().describe('CPU cores'),
  mem: z.number().optional().describe('memory used, bytes'),
  maxmem: z.number().optional().describe('memory size, bytes'),
  disk: z.number().optional().describe('root disk used, bytes'),
  maxdisk: z.number().optional().describe('root disk size, bytes'),
  uptime: z.number().optional().describe('seconds since boot'),
};

const listNodesOutput = z.object({
  nodes: z.array(
    z.object({
      node: z.string(),
      status: z.string().describe('online, offline or unknown'),
      level: z.string().optional().describe('subscription level'),
      sslFingerprint: z.string().optional().describe("SHA-256 fingerprint of the node's API certificate"),
      ...usage,
    }),
  ),
});

const bytesOf = (what: string) =>
  z.object({
    total: z.number().describe(`${what} size, bytes`),
    used: z.number().describe('used, bytes'),
    free: z.number().describe('free, bytes'),
  });

const nodeStatusOutput = z.object({
  node: z.string(),
  cpu: z.number().optional().describe('CPU use as a fraction of all cores (0.25 = 25%)'),
  wait: z.number().optional().describe('I/O wait as a fraction of CPU time'),
  uptime: z.number().optional().describe('seconds since boot'),
  loadavg: z.tuple([z.number(), z.number(), z.number()]).optional().describe('load average over 1, 5, 15 minutes'),
  memory: bytesOf('memory')
    .extend({ available: z.number().optional().describe('available to new processes, bytes') })
    .optional(),
  swap: bytesOf('swap').optional(),
  rootfs: bytesOf('root filesystem')
    .extend({ avail: z.number().describe('available to unprivileged users, bytes') })
    .optional(),
  cpuinfo: z
    .object({
      cpus: z.number().int().describe('logical CPUs'),
      cores: z.number().int().optional(),
      sockets: z.number().int().optional(),
      model: z.string().optional(),
      mhz: z.number().optional(),
    })
    .optional(),
  pveversion: z.string().optional().describe('Proxmox VE version'),
  kversion: z.string().optional().describe('kernel version'),
  memoryPercent: z.number().optional().describe('memory used, percent'),
  diskPercent: z.number().optional().describe('root filesystem used, percent'),
});

const listStorageOutput = z.object({
  node: z.string(),
  storage: z.array(
    z.object({
      storage: z.string().describe('storage id, e.g. local-lvm'),
      type: z.string().describe('storage type: dir, lvmthin, zfspool, nfs, ...'),
      content: z.array(z.string()).describe('what it holds: images, rootdir, iso, backup, ...'),
      enabled: z.boolean(),
      active: z.boolean().describe('false: not mounted or reachable; no usage figures then'),
      shared: z.boolean().describe('shared between nodes'),
      total: z.number().optional().describe('size, bytes'),
      used: z.number().optional().describe('used, bytes'),
      avail: z.number().optional().describe('available, bytes'),
      usedFraction: z.number().optional().describe('used as a fraction (0.5 = 50%)'),
    }),
  ),
});

const listTasksOutput = z.object({
  node: z.string(),
  total: z.number().int().describe('matching tasks, including those not returned (limit)'),
  tasks: z.array(
    z.object({
      upid: z.string().describe('unique task id'),
      node: z.string(),
      pid: z.number().int(),
      pstart: z.number(),
      starttime: z.number().describe('start, seconds since the epoch'),
      endtime: z.number().optional().describe('end, seconds since the epoch; absent while running'),
      type: z.string().describe('task type, e.g. qmstart, vzstop, vzdump'),
      id: z.string().describe('what the task acted on, usually the VMID; may be empty'),
      user: z.string().describe('who ran it, e.g. root@pam or a token'),
      status: z.string().optional().describe('final status: OK, WARNINGS: N, or the error it ended with'),
      running: z.boolean(),
      ok: z.boolean().describe('finished with OK or only warnings'),
    }),
  ),
});

const nodeCommandOutput = z.object({
  node: z.string(),
  command: z.enum(['reboot', 'shutdown']).describe('what the node was asked to do'),
});

export const listNodes = defineTool({
  name: 'list_nodes',
  title: 'List nodes',
  description:
    'Lists the Proxmox VE nodes with their status (online/offline), CPU, memory and root disk use, and uptime.',
  tier: 'green',
  kind: 'infra',
  input: z.object({}),
  output: listNodesOutput,
  target: () => ({}),
  plan: () => 'list the Proxmox nodes',
  async handler(_args, ctx) {
    const px = proxmoxOf(ctx);
    const nodes = await reading('list the nodes', () => px.listNodes(ctx.signal));
    nodes.sort((a, b) => a.node.localeCompare(b.node));
    const lines = nodes.map((n) =>
      n.status === 'online'
        ? `${n.node}: online, up ${fmtUptime(n.uptime)}, ${n.maxcpu ?? '?'} cpus at ${pct(n.cpu, 1)}%, memory ${fmtBytes(n.mem)} of ${fmtBytes(n.maxmem)} (${pct(n.mem, n.maxmem)}%), disk ${fmtBytes(n.disk)} of ${fmtBytes(n.maxdisk)} (${pct(n.disk, n.maxdisk)}%)`
        : `${n.node}: ${n.status}`,
    );
    return { text: lines.join('\n') || 'no nodes', data: { nodes } };
  },
});

export const getNodeStatus = defineTool({
  name: 'get_node_status',
  title: 'Node status',
  description:
    'Detailed status of one Proxmox node: uptime, load average, CPU, memory, swap, root filesystem, CPU model and PVE version.',
  tier: 'green',
  kind: 'infra',
  input: z.object({ node: nodeName }),
  output: nodeStatusOutput,
  target: (a) => ({ node: a.node }),
  plan: (a) => `read the status of node ${a.node}`,
  async handler(args, ctx) {
    const px = proxmoxOf(ctx);
    const s = await reading(`read the status of node ${args.node}`, () => px.nodeStatus(args.node, ctx.signal));
    const lines = [
      `${args.node}: up ${fmtUptime(s.uptime)}, load ${s.loadavg?.join(' ') ?? '?'}, cpu ${pct(s.cpu, 1) ?? '?'}%${s.cpuinfo ? ` of ${s.cpuinfo.cpus} × ${s.cpuinfo.model ?? 'cpu'}` : ''}`,
      `memory ${fmtBytes(s.memory?.used)} of ${fmtBytes(s.memory?.total)} (${pct(s.memory?.used, s.memory?.total) ?? '?'}%), swap ${fmtBytes(s.swap?.used)} of ${fmtBytes(s.swap?.total)}`,
      `root fs ${fmtBytes(s.rootfs?.used)} of ${fmtBytes(s.rootfs?.total)} (${pct(s.rootfs?.used, s.rootfs?.total) ?? '?'}%), ${fmtBytes(s.rootfs?.avail)} available`,
      s.pveversion ?? '',
    ].filter(Boolean);
    return {
      text: lines.join('\n'),
      data: {
        node: args.node,
        ...s,
        memoryPercent: pct(s.memory?.used, s.memory?.total),
        diskPercent: pct(s.rootfs?.used, s.rootfs?.total),
      },
    };
  },
});

export const listStorage = defineTool({
  name: 'list_storage',
  title: 'List storage',
  description: 'Lists the storages of one Proxmox node with type, content, and used/total space.',
  tier: 'green',
  kind: 'infra',
  input: z.object({ node: nodeName }),
  output: listStorageOutput,
  target: (a) => ({ node: a.node }),
  plan: (a) => `list the storages of node ${a.node}`,
  async handler(args, ctx) {
    const px = proxmoxOf(ctx);
    const list = await reading(`list the storage of node ${args.node}`, () => px.listStorage(args.node, ctx.signal));
    const lines = list.map(
      (s) =>
        `${s.storage} (${s.type}; ${s.content.join(',')}): ${s.active ? `${fmtBytes(s.used)} of ${fmtBytes(s.total)} used (${pct(s.used, s.total) ?? '?'}%)` : 'inactive'}`,
    );
    return { text: lines.join('\n') || `no storage on ${args.node}`, data: { node: args.node, storage: list } };
  },
});

export const listTasks = defineTool({
  name: 'list_tasks',
  title: 'List tasks',
  description:
    'Recent Proxmox tasks of one node (starts, stops, backups, ...), newest first, with who ran them and how they ended. Filter by guest, task type or age; running tasks are included.',
  tier: 'green',
  kind: 'infra',
  input: z.object({
    node: nodeName,
    vmid: vmid.optional(),
    type: z
      .string()
      .regex(/^[a-z]+$/)
      .max(32)
      .optional()
      .describe('task type, e.g. qmstart, vzstop, vzdump'),
    since_minutes: z.number().int().min(1).max(525_600).optional().describe('only tasks started in the last N minutes'),
    errors_only: z.boolean().optional().describe('only tasks that failed'),
    limit: z.number().int().min(1).max(500).default(20),
  }),
  output: listTasksOutput,
  target: (a) => ({ node: a.node, vmid: a.vmid }),
  plan: (a) => `list tasks of node ${a.node}`,
  async handler(args, ctx) {
    const px = proxmoxOf(ctx);
    const since = args.since_minutes ? Math.floor(ctx.deps.now() / 1000) - args.since_minutes * 60 : undefined;
    const { tasks, total } = await reading(`list the tasks of node ${args.node}`, () =>
      px.listTasks(
        args.node,
        { source: 'all', limit: args.limit, vmid: args.vmid, typefilter: args.type, since, errors: args.errors_only },
        ctx.signal,
      ),
    );
    const lines = tasks.map(
      (t) =>
        `${new Date(t.starttime * 1000).toISOString()} ${t.type}${t.id ? ` ${t.id}` : ''} by ${t.user}: ${t.running ? 'running' : t.status}`,
    );
    const more = total > tasks.length ? `\n(${total - tasks.length} more not shown)` : '';
    return {
      text: (lines.join('\n') || `no matching tasks on ${args.node}`) + more,
      data: { node: args.node, total, tasks },
    };
  },
});

const DOES: Record<NodeCommand, { verb: string; after: string }> = {
  reboot: {
    verb: 'reboot',
    after: 'it goes offline within seconds and comes back after booting; guests with onboot=1 start again',
  },
  shutdown: {
    verb: 'shut down',
    after: 'it powers off within seconds and stays off until woken (wake_node) or powered on by hand',
  },
};

function nodeCommandTool(command: NodeCommand, name: string, title: string, description: string) {
  const { verb, after } = DOES[command];
  return defineTool({
    name,
    title,
    description,
    tier: 'red',
    kind: 'infra',
    input: z.object({ node: nodeName }),
    output: nodeCommandOutput,
    target: (a) => ({ node: a.node }),
    plan: (a) => `${verb} Proxmox node ${a.node} (all its guests go down with it)`,
    async handler(args, ctx) {
      const px = proxmoxOf(ctx);
      await ctx.assertMayAct();
      try {
        // Proxmox answers at once and runs the command two seconds later; there is no task to follow.
        await px.nodeAction(args.node, command, ctx.signal);
      } catch (err) {
        throw failure(`${verb} node ${args.node}`, err);
      }
      return { text: `asked node ${args.node} to ${verb}: ${after}`, data: { node: args.node, command } };
    },
  });
}

export const rebootNode = nodeCommandTool(
  'reboot',
  'reboot_node',
  'Reboot a node',
  'Reboots a Proxmox node. Every guest on it goes down (guests with onboot=1 start again after boot); HA-managed guests may move to other nodes. Use when the node itself misbehaves.',
);
export const shutdownNode = nodeCommandTool(
  'shutdown',
  'shutdown_node',
  'Shut down a node',
  'Powers off a Proxmox node; its guests are shut down first. The node stays off until woken with Wake-on-LAN or powered on by hand.',
);

export const nodeTools = [listNodes, getNodeStatus, listStorage, listTasks, rebootNode, shutdownNode];
