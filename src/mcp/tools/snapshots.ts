/**
 * Guest snapshots: green `list_snapshots`, yellow `create_snapshot`, red `rollback_snapshot` and
 * `delete_snapshot`. Snapshot names follow Proxmox's `pve-snapshot-name` rule and are refused
 * before any request; locks (a running backup, another snapshot) fail inside Proxmox's task and
 * come back as "failed to …: VM is locked (backup)".
 */
import { z } from 'zod';
import { defineTool } from '../tool.js';
import { guestLabel, proxmoxOf, reading } from './cluster.js';
import type { GuestResource, TaskStatus } from '../../clients/proxmox/index.js';
import { guestInput, locateGuest, runTask } from './pve-guest.js';

const NAME_RULE =
  'a Proxmox snapshot name: a letter, then letters, digits, "_" or "-" (2–40 characters); not "current", "pending" or "vzdump"';

/** `pve-snapshot-name` (pve-common) plus the names qemu-server and pve-container reserve. */
export const snapshotName = z
  .string()
  .min(2, NAME_RULE)
  .max(40, NAME_RULE)
  .regex(/^[a-z][a-z0-9_-]+$/i, NAME_RULE)
  .refine((n) => n !== 'current' && n.toLowerCase() !== 'pending' && n !== 'vzdump', NAME_RULE)
  .describe(NAME_RULE);

const snapshotSchema = z.object({
  name: z.string(),
  description: z.string(),
  snaptime: z.number().optional().describe('when it was taken, epoch seconds'),
  parent: z.string().optional().describe('the snapshot it was taken on top of'),
  vmstate: z.boolean().optional().describe('QEMU: RAM was saved with it, so a rollback resumes the VM running'),
});

const actionOutput = z.object({
  node: z.string(),
  vmid: z.number(),
  type: z.enum(['qemu', 'lxc']),
  snapshot: z.string(),
  upid: z.string().describe('the Proxmox task that did it'),
  exitstatus: z.string().describe('the task exit status (OK, or WARNINGS: n)'),
});

/** The answer of a snapshot task that finished: what was done (in words), to which guest, by which task. */
function snapshotDone(
  done: string,
  args: { node: string; vmid: number; name: string },
  g: GuestResource,
  run: { upid: string; task: TaskStatus },
): { text: string; data: z.infer<typeof actionOutput> } {
  return {
    text: `${done} (task ${run.task.exitstatus})`,
    data: {
      node: args.node,
      vmid: args.vmid,
      type: g.type,
      snapshot: args.name,
      upid: run.upid,
      exitstatus: run.task.exitstatus ?? 'OK',
    },
  };
}

export const listSnapshots = defineTool({
  name: 'list_snapshots',
  title: 'List snapshots',
  description: "Lists a VM's or container's snapshots, oldest first, and which one the current state derives from.",
  tier: 'green',
  kind: 'infra',
  input: guestInput,
  output: z.object({
    node: z.string(),
    vmid: z.number(),
    type: z.enum(['qemu', 'lxc']),
    snapshots: z.array(snapshotSchema),
    currentParent: z.string().optional().describe('the snapshot the current state derives from'),
  }),
  target: (a) => ({ node: a.node, vmid: a.vmid }),
  plan: (a) => `list the snapshots of guest ${a.vmid} on ${a.node}`,
  async handler(args, ctx) {
    const px = proxmoxOf(ctx);
    const g = await locateGuest(px, ctx, args.node, args.vmid, 'list the snapshots of');
    const label = guestLabel(g.type, args.vmid);
    const all = await reading(`list the snapshots of ${label} on ${args.node}`, () =>
      px.listSnapshots(args.node, g.type, args.vmid, ctx.signal),
    );
    const snapshots = all
      .filter((s) => !s.current)
      .map((s) => ({
        name: s.name,
        description: s.description,
        ...(s.snaptime !== undefined ? { snaptime: s.snaptime } : {}),
        ...(s.parent ? { parent: s.parent } : {}),
        ...(s.vmstate !== undefined ? { vmstate: s.vmstate } : {}),
      }));
    const currentParent = all.find((s) => s.current)?.parent;
    const lines = snapshots.map(
      (s) =>
        `${s.name}${s.snaptime ? ` (${new Date(s.snaptime * 1000).toISOString()})` : ''}${s.vmstate ? ' with RAM' : ''}${s.description ? `: ${s.description}` : ''}`,
    );
    return {
      text: snapshots.length
        ? `${label} on ${args.node} has ${snapshots.length} snapshot(s); current state derives from ${currentParent ?? 'none'}:\n${lines.join('\n')}`
        : `${label} on ${args.node} has no snapshots`,
      data: { node: args.node, vmid: args.vmid, type: g.type, snapshots, ...(currentParent ? { currentParent } : {}) },
    };
  },
});

export const createSnapshot = defineTool({
  name: 'create_snapshot',
  title: 'Take a snapshot',
  description:
    'Takes a snapshot of a VM or container and waits for the task. Proxmox locks the guest (lock "snapshot") meanwhile; a guest locked by a backup or another snapshot is refused by Proxmox.',
  tier: 'yellow',
  kind: 'infra',
  input: guestInput.extend({
    name: snapshotName,
    description: z.string().max(1024).optional().describe('free text stored with the snapshot'),
    include_ram: z
      .boolean()
      .optional()
      .describe("QEMU only: save the running VM's RAM too (a rollback then resumes it)"),
  }),
  output: actionOutput,
  target: (a) => ({ node: a.node, vmid: a.vmid }),
  plan: (a) => `take snapshot "${a.name}" of guest ${a.vmid} on ${a.node}${a.include_ram ? ' with its RAM' : ''}`,
  async handler(args, ctx) {
    const px = proxmoxOf(ctx);
    const g = await locateGuest(px, ctx, args.node, args.vmid, 'snapshot');
    const label = guestLabel(g.type, args.vmid);
    const run = await runTask(px, ctx, args.node, `snapshot ${label} on ${args.node}`, () =>
      px.createSnapshot(
        args.node,
        g.type,
        args.vmid,
        { snapname: args.name, description: args.description, vmstate: args.include_ram },
        ctx.signal,
      ),
    );
    return snapshotDone(`took snapshot "${args.name}" of ${label} on ${args.node}`, args, g, run);
  },
});

export const rollbackSnapshot = defineTool({
  name: 'rollback_snapshot',
  title: 'Roll back to a snapshot',
  description:
    'Rolls a VM or container back to a snapshot: everything since is lost. A running guest is stopped first (a snapshot with RAM resumes it); with start, a stopped result is started afterwards.',
  tier: 'red',
  kind: 'infra',
  input: guestInput.extend({
    name: snapshotName,
    start: z.boolean().optional().describe('start the guest after the rollback'),
  }),
  output: actionOutput,
  target: (a) => ({ node: a.node, vmid: a.vmid }),
  plan: (a) =>
    `roll guest ${a.vmid} on ${a.node} back to snapshot "${a.name}", losing every change since${a.start ? ', then start it' : ''}`,
  async handler(args, ctx) {
    const px = proxmoxOf(ctx);
    const g = await locateGuest(px, ctx, args.node, args.vmid, 'roll back');
    const label = guestLabel(g.type, args.vmid);
    const run = await runTask(px, ctx, args.node, `roll back ${label} on ${args.node} to "${args.name}"`, () =>
      px.rollbackSnapshot(args.node, g.type, args.vmid, args.name, { start: args.start }, ctx.signal),
    );
    return snapshotDone(`rolled ${label} on ${args.node} back to snapshot "${args.name}"`, args, g, run);
  },
});

export const deleteSnapshot = defineTool({
  name: 'delete_snapshot',
  title: 'Delete a snapshot',
  description: 'Deletes one snapshot of a VM or container (its data merges into its child) and waits for the task.',
  tier: 'red',
  kind: 'infra',
  input: guestInput.extend({ name: snapshotName }),
  output: actionOutput,
  target: (a) => ({ node: a.node, vmid: a.vmid }),
  plan: (a) => `delete snapshot "${a.name}" of guest ${a.vmid} on ${a.node}`,
  async handler(args, ctx) {
    const px = proxmoxOf(ctx);
    const g = await locateGuest(px, ctx, args.node, args.vmid, 'delete a snapshot of');
    const label = guestLabel(g.type, args.vmid);
    const run = await runTask(px, ctx, args.node, `delete snapshot "${args.name}" of ${label} on ${args.node}`, () =>
      px.deleteSnapshot(args.node, g.type, args.vmid, args.name, ctx.signal),
    );
    return snapshotDone(`deleted snapshot "${args.name}" of ${label} on ${args.node}`, args, g, run);
  },
});

export const snapshotTools = [listSnapshots, createSnapshot, rollbackSnapshot, deleteSnapshot];
