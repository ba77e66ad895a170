/**
 * Migration: green `migrate_check` (the preconditions Proxmox reports: allowed nodes, why others
 * are not, local disks and resources) and red `migrate_guest`, which waits for the migration task
 * and, for an HA-managed guest (a `hamigrate` task that only files the request), until the guest
 * is reported on the target.
 */
import { z } from 'zod';
import { ToolFailure } from '../../errors.js';
import { defineTool } from '../tool.js';
import { failure, guestLabel, isGuest, nodeName, proxmoxOf, reading } from './cluster.js';
import { guestInput, locateGuest, runTask, TASK_WAIT } from './pve-guest.js';

const checkOutput = z.object({
  node: z.string(),
  vmid: z.number(),
  type: z.enum(['qemu', 'lxc']),
  running: z.boolean(),
  allowedNodes: z.array(z.string()).describe('nodes Proxmox would migrate the guest to'),
  notAllowed: z.record(z.string(), z.array(z.string())).describe('node → why the guest cannot go there'),
  localDisks: z.array(
    z.object({ volid: z.string(), size: z.number().optional(), cdrom: z.boolean(), attached: z.boolean() }),
  ),
  localResources: z.array(z.string()).describe('passed-through devices (hostpci0, usb0, ...) that pin the guest'),
});

export const migrateCheck = defineTool({
  name: 'migrate_check',
  title: 'Check a migration',
  description:
    'Asks Proxmox whether a guest can migrate and where: allowed target nodes, why other nodes are not, local disks (a running VM needs with_local_disks) and local resources that pin it. Changes nothing.',
  tier: 'green',
  kind: 'infra',
  input: guestInput.extend({ target: nodeName.optional().describe('the node you would migrate to') }),
  output: checkOutput,
  target: (a) => ({ node: a.node, vmid: a.vmid }),
  plan: (a) => `check whether guest ${a.vmid} on ${a.node} can migrate${a.target ? ` to ${a.target}` : ''}`,
  async handler(args, ctx) {
    const px = proxmoxOf(ctx);
    const g = await locateGuest(px, ctx, args.node, args.vmid, 'check the migration of');
    const label = guestLabel(g.type, args.vmid);
    const c = await reading(`check the migration of ${label} on ${args.node}`, () =>
      px.migrateCheck(args.node, g.type, args.vmid, args.target, ctx.signal),
    );
    const why = Object.entries(c.notAllowed).map(([n, r]) => `${n}: ${r.join('; ')}`);
    const verdict = args.target
      ? c.allowedNodes.includes(args.target)
        ? `can migrate to ${args.target}`
        : `cannot migrate to ${args.target}${c.notAllowed[args.target] ? ` (${c.notAllowed[args.target]!.join('; ')})` : ''}`
      : `allowed targets: ${c.allowedNodes.join(', ') || 'none'}`;
    const disks = c.localDisks.filter((d) => d.attached && !d.cdrom);
    return {
      text: [
        `${label} on ${args.node} (${c.running ? 'running' : 'stopped'}): ${verdict}`,
        ...(why.length ? [`not allowed: ${why.join(' | ')}`] : []),
        ...(disks.length
          ? [
              `local disks: ${disks.map((d) => d.volid).join(', ')}${c.running && g.type === 'qemu' ? ' (live migration needs with_local_disks)' : ''}`,
            ]
          : []),
        ...(c.localResources.length ? [`local resources: ${c.localResources.join(', ')}`] : []),
      ].join('\n'),
      data: { node: args.node, vmid: args.vmid, type: g.type, ...c },
    };
  },
});

export const migrateGuest = defineTool({
  name: 'migrate_guest',
  title: 'Migrate a guest',
  description:
    'Moves a VM or container to another node and waits until it is there. A running VM migrates live (online); a running container is restarted on the target. Run migrate_check first.',
  tier: 'red',
  kind: 'infra',
  input: guestInput.extend({
    target: nodeName.describe('the node to move the guest to'),
    with_local_disks: z
      .boolean()
      .optional()
      .describe('VM: copy disks on local storage along (needed for a live migration with local disks)'),
  }),
  output: z.object({
    vmid: z.number(),
    from: z.string(),
    to: z.string(),
    upid: z.string(),
    exitstatus: z.string(),
    haManaged: z.boolean().describe('the HA manager carried out the migration'),
  }),
  target: (a) => ({ node: a.node, vmid: a.vmid }),
  plan: (a) =>
    `migrate guest ${a.vmid} from ${a.node} to ${a.target}${a.with_local_disks ? ' with its local disks' : ''}`,
  timeoutMs: 60 * 60_000,
  async handler(args, ctx) {
    if (args.target === args.node)
      throw ToolFailure.of(
        'ERR_CONFLICTING_ARGS',
        `failed to migrate guest ${args.vmid}: it is already on ${args.node}`,
      );
    const px = proxmoxOf(ctx);
    const g = await locateGuest(px, ctx, args.node, args.vmid, 'migrate');
    const label = guestLabel(g.type, args.vmid);
    const what = `migrate ${label} from ${args.node} to ${args.target}`;
    const running = g.status === 'running';
    const { upid, task } = await runTask(px, ctx, args.node, what, () =>
      px.migrate(
        args.node,
        g.type,
        args.vmid,
        { target: args.target, online: running, restart: running, withLocalDisks: args.with_local_disks },
        ctx.signal,
      ),
    );
    const ha = task.type === 'hamigrate';
    if (ha) {
      // hamigrate only files the request; the HA manager migrates later.
      const deadline = Date.now() + TASK_WAIT.timeoutMs;
      for (;;) {
        if (ctx.signal.aborted) throw failure(what, new Error('stopped waiting: aborted'));
        const now = await reading(what, () => px.clusterResources('vm', ctx.signal));
        const there = now.filter(isGuest).find((r) => r.vmid === args.vmid);
        if (there?.node === args.target && !there.lock) break;
        if (there?.hastate === 'error') throw new ToolFailure(`failed to ${what}: HA manager put it in state error`);
        // The LRM's own migration task (by root@pam) may fail: then the guest never arrives.
        const { tasks } = await reading(what, () =>
          px.listTasks(args.node, { vmid: args.vmid, since: task.starttime, source: 'all' }, ctx.signal),
        );
        const lrm = tasks.find((t) => (t.type === 'qmigrate' || t.type === 'vzmigrate') && !t.running && !t.ok);
        if (lrm) throw new ToolFailure(`failed to ${what}: the HA manager's ${lrm.type} task failed: ${lrm.status}`);
        if (Date.now() > deadline) throw new ToolFailure(`failed to ${what}: the HA manager did not finish in time`);
        await new Promise((r) => setTimeout(r, TASK_WAIT.pollMs));
      }
    }
    return {
      text: `migrated ${label}${g.name ? ` '${g.name}'` : ''} from ${args.node} to ${args.target} (${ha ? 'HA manager, ' : ''}task ${task.exitstatus})`,
      data: {
        vmid: args.vmid,
        from: args.node,
        to: args.target,
        upid,
        exitstatus: task.exitstatus ?? 'OK',
        haManaged: ha,
      },
    };
  },
});

export const migrateTools = [migrateCheck, migrateGuest];
