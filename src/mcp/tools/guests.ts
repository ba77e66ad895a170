/**
 * Proxmox guests (QEMU VMs and LXC containers): green `list_guests`, `get_guest_status`;
 * yellow `start_guest`, `resume_guest`; red `stop_guest`, `shutdown_guest`, `reboot_guest`.
 * Each call names the node and vmid; the guest's type is looked up, and a guest found on
 * another node than the one named is refused (the node is what protection and audit saw).
 */
import { z } from 'zod';
import { ToolFailure } from '../../errors.js';
import {
  ProxmoxError,
  type Guest,
  type GuestAction,
  type GuestResource,
  type ProxmoxClient,
} from '../../clients/proxmox/index.js';
import { defineTool, type ToolContext, type ToolOutput } from '../tool.js';
import {
  failure,
  fmtBytes,
  fmtUptime,
  guestLabel,
  guestResourceSchema,
  isGuest,
  nodeName,
  proxmoxOf,
  reading,
  vmid,
} from './cluster.js';
import { guestStatusOutput, powerOutput, type PowerData } from './guest-outputs.js';

/** Long enough for a slow shutdown; the pipeline's deadline (ctx.signal) ends it sooner when set. */
const WAIT = { timeoutMs: 10 * 60_000, pollMs: 300 };

/** Finds the guest through /cluster/resources and checks it lives on `node`. */
async function locate(
  px: ProxmoxClient,
  ctx: ToolContext,
  node: string,
  id: number,
  what: string,
): Promise<GuestResource> {
  const g = await reading(`${what} guest ${id} on ${node}`, () => px.findGuest(id, ctx.signal));
  if (!g) {
    // /cluster/resources silently leaves out guests the token may not audit, so "not listed" can
    // mean "no VM.Audit" as well as "no such guest". The guest's own status path checks the
    // privilege first and answers 403 in the first case.
    try {
      await px.guestStatus(node, 'qemu', id, ctx.signal);
    } catch (err) {
      if (err instanceof ProxmoxError && err.kind === 'permission')
        throw failure(`${what} guest ${id} on ${node}`, err);
    }
    throw ToolFailure.of(
      'ERR_UNKNOWN_TARGET',
      `failed to ${what} guest ${id} on ${node}: no guest ${id} exists in the cluster`,
    );
  }
  if (g.node !== node)
    throw ToolFailure.of(
      'ERR_UNKNOWN_TARGET',
      `failed to ${what} ${guestLabel(g.type, id)} on ${node}: it is on node ${g.node}, not ${node}`,
    );
  return g;
}

function guestLine(g: Guest | GuestResource): string {
  const name = g.name ? ` '${g.name}'` : '';
  const bits = [
    `${guestLabel(g.type, g.vmid)}${name} on ${g.node}: ${g.status}${'paused' in g && g.paused ? ' (paused)' : ''}`,
  ];
  if (g.status === 'running')
    bits.push(`up ${fmtUptime(g.uptime)}`, `memory ${fmtBytes(g.mem)} of ${fmtBytes(g.maxmem)}`);
  if (g.lock) bits.push(`locked (${g.lock})`);
  if ('hastate' in g && g.hastate) bits.push(`HA ${g.hastate}`);
  return bits.join(', ');
}

export const listGuests = defineTool({
  name: 'list_guests',
  title: 'List guests',
  description:
    'Lists VMs (qemu) and containers (lxc) with status, node, memory, uptime, lock and HA state. Without a node: the whole cluster (guests on offline nodes show status unknown).',
  tier: 'green',
  kind: 'infra',
  input: z.object({ node: nodeName.optional().describe('only guests of this node') }),
  output: z.object({ guests: z.array(guestResourceSchema) }),
  target: (a) => ({ node: a.node }),
  plan: (a) => (a.node ? `list the guests of node ${a.node}` : 'list all guests of the cluster'),
  async handler(args, ctx) {
    const px = proxmoxOf(ctx);
    const all = await reading('list the guests', () => px.clusterResources('vm', ctx.signal));
    const guests = all
      .filter(isGuest)
      .filter((g) => !args.node || g.node === args.node)
      .sort((a, b) => a.vmid - b.vmid);
    return {
      text: guests.map(guestLine).join('\n') || (args.node ? `no guests on ${args.node}` : 'no guests'),
      data: { guests },
    };
  },
});

export const getGuestStatus = defineTool({
  name: 'get_guest_status',
  title: 'Guest status',
  description:
    'Current status of one VM or container: running/stopped/paused, uptime, CPU, memory, disk, lock, and HA state.',
  tier: 'green',
  kind: 'infra',
  input: z.object({ node: nodeName, vmid }),
  output: guestStatusOutput,
  target: (a) => ({ node: a.node, vmid: a.vmid }),
  plan: (a) => `read the status of guest ${a.vmid} on ${a.node}`,
  async handler(args, ctx) {
    const px = proxmoxOf(ctx);
    const g = await locate(px, ctx, args.node, args.vmid, 'read the status of');
    const s = await reading(`read the status of ${guestLabel(g.type, args.vmid)} on ${args.node}`, () =>
      px.guestStatus(args.node, g.type, args.vmid, ctx.signal),
    );
    const ha = s.ha.managed ? `, HA-managed (${s.ha.state ?? 'unknown'})` : '';
    return { text: `${guestLine(s)}, ${s.cpus ?? '?'} cpus${ha}`, data: { ...s } };
  },
});

const PAST: Record<GuestAction, string> = {
  start: 'started',
  stop: 'stopped',
  shutdown: 'shut down',
  reboot: 'rebooted',
  suspend: 'suspended',
  resume: 'resumed',
};

/**
 * One power action: locate, skip when already there, re-check the kill switch, request, wait for
 * the task (and for HA-managed guests, for the state the HA manager brings about).
 */
async function powerAction(
  ctx: ToolContext,
  args: { node: string; vmid: number },
  action: GuestAction,
  params?: Record<string, string | number | boolean | undefined>,
): Promise<ToolOutput<PowerData>> {
  const px = proxmoxOf(ctx);
  const g = await locate(px, ctx, args.node, args.vmid, action);
  const label = guestLabel(g.type, args.vmid);
  const what = `${action} ${label} on ${args.node}`;
  const named = `${label}${g.name ? ` '${g.name}'` : ''}`;
  const want = action === 'start' ? 'running' : action === 'stop' || action === 'shutdown' ? 'stopped' : undefined;
  if (g.status === 'unknown')
    throw new ToolFailure(
      `failed to ${what}: node ${args.node} does not report the guest (status unknown; is the node offline?)`,
    );
  if (want && g.status === want) {
    return {
      text: `${named} on ${args.node} is already ${want}; nothing to do`,
      data: { node: args.node, vmid: args.vmid, type: g.type, status: g.status, changed: false },
    };
  }
  if (action === 'resume') {
    const s = await reading(`read the status of ${label} on ${args.node}`, () =>
      px.guestStatus(args.node, g.type, args.vmid, ctx.signal),
    );
    if (s.status === 'running' && !s.paused) {
      return {
        text: `${named} on ${args.node} is running and not paused; nothing to resume`,
        data: { node: args.node, vmid: args.vmid, type: g.type, status: s.status, changed: false },
      };
    }
  }
  await ctx.assertMayAct();
  try {
    const upid = await px.guestAction(args.node, g.type, args.vmid, action, params, ctx.signal);
    const task = await px.waitForTask(args.node, upid, { ...WAIT, signal: ctx.signal });
    const ha = Boolean(g.hastate) && want !== undefined;
    const final = ha
      ? await px.waitForGuestState(args.node, g.type, args.vmid, want!, { ...WAIT, signal: ctx.signal })
      : undefined;
    const via = ha ? `HA manager, task ${task.exitstatus}` : `task ${task.exitstatus}`;
    return {
      text: `${PAST[action]} ${named} on ${args.node} (${via})`,
      data: {
        node: args.node,
        vmid: args.vmid,
        type: g.type,
        name: g.name,
        upid,
        exitstatus: task.exitstatus,
        status: final?.status ?? want,
        haManaged: Boolean(g.hastate),
        changed: true,
      },
    };
  } catch (err) {
    throw failure(what, err);
  }
}

const guestInput = z.object({ node: nodeName, vmid });

export const startGuest = defineTool({
  name: 'start_guest',
  title: 'Start a guest',
  description:
    'Starts a stopped VM or container and waits until Proxmox reports it started (for HA-managed guests, until the HA manager has started it). Succeeds without change if it already runs.',
  tier: 'yellow',
  kind: 'infra',
  idempotent: true,
  input: guestInput,
  output: powerOutput,
  target: (a) => ({ node: a.node, vmid: a.vmid }),
  plan: (a) => `start guest ${a.vmid} on ${a.node}`,
  handler: (args, ctx) => powerAction(ctx, args, 'start'),
});

export const resumeGuest = defineTool({
  name: 'resume_guest',
  title: 'Resume a guest',
  description:
    'Resumes a paused (suspended) VM or a frozen container. Succeeds without change if it is running and not paused.',
  tier: 'yellow',
  kind: 'infra',
  idempotent: true,
  input: guestInput,
  output: powerOutput,
  target: (a) => ({ node: a.node, vmid: a.vmid }),
  plan: (a) => `resume guest ${a.vmid} on ${a.node}`,
  handler: (args, ctx) => powerAction(ctx, args, 'resume'),
});

export const stopGuest = defineTool({
  name: 'stop_guest',
  title: 'Stop a guest (hard)',
  description:
    'Stops a VM or container immediately, like pulling the power cord: unsaved data in the guest is lost. Prefer shutdown_guest. Waits for the stop task.',
  tier: 'red',
  kind: 'infra',
  idempotent: true,
  input: guestInput,
  output: powerOutput,
  target: (a) => ({ node: a.node, vmid: a.vmid }),
  plan: (a) => `hard-stop guest ${a.vmid} on ${a.node} (no clean shutdown)`,
  handler: (args, ctx) => powerAction(ctx, args, 'stop'),
});

export const shutdownGuest = defineTool({
  name: 'shutdown_guest',
  title: 'Shut down a guest',
  description:
    'Asks a VM (ACPI) or container to shut down cleanly and waits until it has. With force_stop, a guest still running after the timeout is stopped hard.',
  tier: 'red',
  kind: 'infra',
  idempotent: true,
  input: guestInput.extend({
    timeout_seconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .optional()
      .describe('how long the guest may take (Proxmox default 180 s)'),
    force_stop: z.boolean().optional().describe('hard-stop the guest if it has not shut down within the timeout'),
  }),
  output: powerOutput,
  target: (a) => ({ node: a.node, vmid: a.vmid }),
  plan: (a) => `shut down guest ${a.vmid} on ${a.node}${a.force_stop ? ' (hard stop after the timeout)' : ''}`,
  handler: (args, ctx) =>
    powerAction(ctx, args, 'shutdown', { timeout: args.timeout_seconds, forceStop: args.force_stop }),
});

export const rebootGuest = defineTool({
  name: 'reboot_guest',
  title: 'Reboot a guest',
  description: 'Reboots a running VM or container cleanly (shutdown, then start) and waits for the reboot task.',
  tier: 'red',
  kind: 'infra',
  input: guestInput,
  output: powerOutput,
  target: (a) => ({ node: a.node, vmid: a.vmid }),
  plan: (a) => `reboot guest ${a.vmid} on ${a.node}`,
  handler: (args, ctx) => powerAction(ctx, args, 'reboot'),
});

export const guestTools = [listGuests, getGuestStatus, startGuest, resumeGuest, stopGuest, shutdownGuest, rebootGuest];
