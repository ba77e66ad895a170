/**
 * The QEMU guest agent and hard resets: green `guest_agent_info` (ping, OS, filesystems) and red
 * `reset_guest` (QMP system_reset, what recovers a VM whose OS hangs while QEMU runs).
 */
import { z } from 'zod';
import { ToolFailure } from '../../errors.js';
import { ProxmoxError } from '../../clients/proxmox/index.js';
import { defineTool } from '../tool.js';
import { failure, fmtBytes, proxmoxOf } from './cluster.js';
import { guestInput, locateGuest, runTask } from './pve-guest.js';

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
const s = (v: unknown) => (typeof v === 'string' ? v : undefined);
const n = (v: unknown) => (typeof v === 'number' ? v : undefined);

export const guestAgentInfo = defineTool({
  name: 'guest_agent_info',
  title: 'Guest agent info',
  description:
    "Pings a VM's QEMU guest agent and, when it answers, reads the guest's OS and filesystems. A guest whose agent does not answer is reported (responding: false, with Proxmox's reason), not an error.",
  tier: 'green',
  kind: 'infra',
  input: guestInput,
  output: z.object({
    node: z.string(),
    vmid: z.number(),
    responding: z.boolean().describe('the agent answered a ping'),
    reason: z
      .string()
      .optional()
      .describe("Proxmox's reason when it did not (no agent configured, VM not running, agent not running)"),
    os: z
      .object({ name: z.string().optional(), version: z.string().optional(), kernel: z.string().optional() })
      .optional(),
    filesystems: z
      .array(
        z.object({
          mountpoint: z.string(),
          type: z.string().optional(),
          usedBytes: z.number().optional(),
          totalBytes: z.number().optional(),
        }),
      )
      .optional(),
  }),
  target: (a) => ({ node: a.node, vmid: a.vmid }),
  plan: (a) => `ping the guest agent of VM ${a.vmid} on ${a.node} and read its OS and filesystems`,
  async handler(args, ctx) {
    const px = proxmoxOf(ctx);
    const g = await locateGuest(px, ctx, args.node, args.vmid, 'read the guest agent of');
    if (g.type !== 'qemu')
      throw new ToolFailure(
        `failed to read the guest agent of CT ${args.vmid} on ${args.node}: containers have no guest agent`,
      );
    try {
      await px.agentPing(args.node, args.vmid, ctx.signal);
    } catch (err) {
      // Proxmox's 500s here are the answer (no agent, not running, hung), not a failure of the tool.
      if (!(err instanceof ProxmoxError && err.kind === 'api'))
        throw failure(`ping the guest agent of VM ${args.vmid}`, err);
      return {
        text: `VM ${args.vmid} on ${args.node}: guest agent not responding (${err.message})`,
        data: { node: args.node, vmid: args.vmid, responding: false, reason: err.message },
      };
    }
    const [os, fs] = await Promise.all([
      px.agentGet(args.node, args.vmid, 'get-osinfo', ctx.signal).catch(() => undefined),
      px.agentGet(args.node, args.vmid, 'get-fsinfo', ctx.signal).catch(() => undefined),
    ]);
    const o = obj(os);
    const filesystems = (Array.isArray(fs) ? fs : []).map((f) => {
      const e = obj(f);
      return {
        mountpoint: s(e.mountpoint) ?? '?',
        ...(s(e.type) ? { type: s(e.type) } : {}),
        ...(n(e['used-bytes']) !== undefined ? { usedBytes: n(e['used-bytes']) } : {}),
        ...(n(e['total-bytes']) !== undefined ? { totalBytes: n(e['total-bytes']) } : {}),
      };
    });
    const osOut = os
      ? { name: s(o['pretty-name']) ?? s(o.name), version: s(o['version-id']), kernel: s(o['kernel-release']) }
      : undefined;
    const fsText = filesystems
      .map((f) => `${f.mountpoint} ${fmtBytes(f.usedBytes)} of ${fmtBytes(f.totalBytes)}`)
      .join(', ');
    return {
      text: `VM ${args.vmid} on ${args.node}: guest agent responding${osOut?.name ? `; ${osOut.name}` : ''}${osOut?.kernel ? ` (kernel ${osOut.kernel})` : ''}${fsText ? `; ${fsText}` : ''}`,
      data: {
        node: args.node,
        vmid: args.vmid,
        responding: true,
        ...(osOut ? { os: Object.fromEntries(Object.entries(osOut).filter(([, v]) => v !== undefined)) } : {}),
        ...(fs ? { filesystems } : {}),
      },
    };
  },
});

export const resetGuest = defineTool({
  name: 'reset_guest',
  title: 'Reset a VM (hard)',
  description:
    'Hard-resets a running VM, like pressing its reset button: the guest OS restarts without shutting down and unsaved data is lost. For a VM that runs but no longer answers. With mode stop_start, the VM is stopped and started instead (a new QEMU process). QEMU only.',
  tier: 'red',
  kind: 'infra',
  input: guestInput.extend({
    mode: z
      .enum(['reset', 'stop_start'])
      .default('reset')
      .describe('reset: QMP system_reset; stop_start: hard stop, then start (when a reset did not help)'),
  }),
  output: z.object({
    node: z.string(),
    vmid: z.number(),
    mode: z.enum(['reset', 'stop_start']),
    upid: z.string().describe('the last task (the reset, or the start)'),
    exitstatus: z.string(),
  }),
  target: (a) => ({ node: a.node, vmid: a.vmid }),
  plan: (a) =>
    a.mode === 'stop_start'
      ? `hard-stop VM ${a.vmid} on ${a.node}, then start it again`
      : `hard-reset VM ${a.vmid} on ${a.node} (its OS restarts without a shutdown)`,
  async handler(args, ctx) {
    const px = proxmoxOf(ctx);
    const g = await locateGuest(px, ctx, args.node, args.vmid, 'reset');
    if (g.type !== 'qemu')
      throw new ToolFailure(
        `failed to reset CT ${args.vmid} on ${args.node}: Proxmox has no reset for containers (use reboot_guest)`,
      );
    const named = `VM ${args.vmid}${g.name ? ` '${g.name}'` : ''}`;
    if (args.mode === 'stop_start') {
      await runTask(px, ctx, args.node, `stop VM ${args.vmid} on ${args.node}`, () =>
        px.guestAction(args.node, 'qemu', args.vmid, 'stop', undefined, ctx.signal),
      );
      const { upid, task } = await runTask(px, ctx, args.node, `start VM ${args.vmid} on ${args.node}`, () =>
        px.guestAction(args.node, 'qemu', args.vmid, 'start', undefined, ctx.signal),
      );
      return {
        text: `stopped and started ${named} on ${args.node} (task ${task.exitstatus})`,
        data: {
          node: args.node,
          vmid: args.vmid,
          mode: 'stop_start' as const,
          upid,
          exitstatus: task.exitstatus ?? 'OK',
        },
      };
    }
    const { upid, task } = await runTask(px, ctx, args.node, `reset VM ${args.vmid} on ${args.node}`, () =>
      px.resetGuest(args.node, args.vmid, ctx.signal),
    );
    return {
      text: `reset ${named} on ${args.node} (task ${task.exitstatus})`,
      data: { node: args.node, vmid: args.vmid, mode: 'reset' as const, upid, exitstatus: task.exitstatus ?? 'OK' },
    };
  },
});

export const agentTools = [guestAgentInfo, resetGuest];
