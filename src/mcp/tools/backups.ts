/**
 * Backups: green `list_backups` (per guest: newest archive, its age and size, and the result of
 * the newest vzdump that covered it) and `get_backup_jobs`; yellow `run_backup` (one guest, to a
 * storage listed in `proxmox.backupStorages`).
 */
import { z } from 'zod';
import { ToolFailure } from '../../errors.js';
import { readBackupStates } from '../../clients/proxmox/index.js';
import { defineTool } from '../tool.js';
import { fmtBytes, guestLabel, isGuest, nodeName, proxmoxOf, reading, vmid } from './cluster.js';
import { locateGuest, runTask } from './pve-guest.js';

const guestBackupSchema = z.object({
  vmid: z.number(),
  node: z.string(),
  name: z.string().optional(),
  lastBackup: z
    .object({
      volid: z.string().describe('the archive, e.g. local:backup/vzdump-qemu-100-2025_01_31-02_00_03.vma.zst'),
      storage: z.string(),
      ctime: z.number().describe('when it was made, epoch seconds'),
      ageHours: z.number().describe('hours since it was made'),
      size: z.number().optional().describe('bytes'),
    })
    .optional()
    .describe('absent when no archive of the guest exists'),
  lastRun: z
    .object({
      ok: z.boolean(),
      exitstatus: z.string().describe('vzdump task status: OK, or "job errors"'),
      error: z.string().optional().describe("this guest's error from the task log"),
      starttime: z.number().describe('epoch seconds'),
      upid: z.string(),
    })
    .optional()
    .describe('the newest vzdump task that covered the guest'),
});

export const listBackups = defineTool({
  name: 'list_backups',
  title: 'List backups',
  description:
    "Per guest: the newest vzdump archive (storage, age, size) and the result of the newest backup task that covered it, from the storages' backup content and the nodes' vzdump tasks.",
  tier: 'green',
  kind: 'infra',
  input: z.object({
    node: nodeName.optional().describe('only guests of this node'),
    vmid: vmid.optional().describe('only this guest'),
  }),
  output: z.object({ guests: z.array(guestBackupSchema) }),
  target: (a) => ({ node: a.node, vmid: a.vmid }),
  plan: (a) => `read the backups of ${a.vmid ? `guest ${a.vmid}` : a.node ? `the guests of ${a.node}` : 'every guest'}`,
  async handler(args, ctx) {
    const px = proxmoxOf(ctx);
    const guests = await reading('list the guests', () => px.clusterResources('vm', ctx.signal));
    const wanted = guests
      .filter(isGuest)
      .filter((g) => (!args.node || g.node === args.node) && (!args.vmid || g.vmid === args.vmid) && !g.template)
      .sort((a, b) => a.vmid - b.vmid);
    const states = await reading('read the backups', () => readBackupStates(px, wanted, ctx.signal));
    const now = Date.now() / 1000;
    const out = states.map((s) => ({
      vmid: s.vmid,
      node: s.node,
      ...(s.name ? { name: s.name } : {}),
      ...(s.last ? { lastBackup: { ...s.last, ageHours: Math.round(((now - s.last.ctime) / 3600) * 10) / 10 } } : {}),
      ...(s.lastRun ? { lastRun: s.lastRun } : {}),
    }));
    const lines = out.map((g) => {
      const label = `${g.vmid}${g.name ? ` '${g.name}'` : ''} on ${g.node}`;
      const last = g.lastBackup
        ? `last backup ${g.lastBackup.ageHours} h ago on ${g.lastBackup.storage} (${fmtBytes(g.lastBackup.size)})`
        : 'no backup';
      const run = g.lastRun
        ? g.lastRun.ok
          ? ', last run OK'
          : `, last run FAILED: ${g.lastRun.error ?? g.lastRun.exitstatus}`
        : '';
      return `${label}: ${last}${run}`;
    });
    return { text: lines.join('\n') || 'no guests', data: { guests: out } };
  },
});

export const getBackupJobs = defineTool({
  name: 'get_backup_jobs',
  title: 'Backup jobs',
  description:
    "The cluster's scheduled backup jobs (schedule, next run, storage, guests) and the guests no job covers.",
  tier: 'green',
  kind: 'infra',
  input: z.object({}),
  output: z.object({
    jobs: z.array(
      z.object({
        id: z.string(),
        schedule: z.string().optional().describe('systemd calendar event, e.g. "sun 01:00"'),
        enabled: z.boolean(),
        nextRun: z.number().optional().describe('epoch seconds'),
        storage: z.string().optional(),
        mode: z.string().optional().describe('snapshot, suspend or stop'),
        vmids: z.array(z.number()).optional().describe('guests the job names; absent when it covers all'),
        all: z.boolean(),
        comment: z.string().optional(),
      }),
    ),
    notBackedUp: z.array(z.object({ vmid: z.number(), type: z.string(), name: z.string().optional() })),
  }),
  target: () => ({}),
  plan: () => 'read the backup jobs and the guests they do not cover',
  async handler(_args, ctx) {
    const px = proxmoxOf(ctx);
    const [jobs, notBackedUp] = await reading('read the backup jobs', () =>
      Promise.all([px.backupJobs(ctx.signal), px.notBackedUp(ctx.signal)]),
    );
    const lines = jobs.map(
      (j) =>
        `${j.id}: ${j.enabled ? '' : '(disabled) '}${j.schedule ?? '?'} → ${j.storage ?? 'local'}, ${j.all ? 'all guests' : `guests ${j.vmids?.join(', ') ?? '?'}`}${j.nextRun ? `, next ${new Date(j.nextRun * 1000).toISOString()}` : ''}`,
    );
    const uncovered = notBackedUp.length ? `\nnot in any job: ${notBackedUp.map((g) => g.vmid).join(', ')}` : '';
    return {
      text: `${lines.join('\n') || 'no backup jobs'}${uncovered}`,
      data: {
        jobs: jobs.map((j) => Object.fromEntries(Object.entries(j).filter(([, v]) => v !== undefined))) as typeof jobs,
        notBackedUp,
      },
    };
  },
});

export const runBackup = defineTool({
  name: 'run_backup',
  title: 'Back up a guest',
  description:
    'Backs up one VM or container now with vzdump, to a storage listed in proxmox.backupStorages (default: the first), and waits for the task. The guest is locked ("backup") meanwhile.',
  tier: 'yellow',
  kind: 'infra',
  input: z.object({
    node: nodeName,
    vmid,
    storage: z.string().min(1).max(64).optional().describe('a storage from proxmox.backupStorages'),
    mode: z.enum(['snapshot', 'suspend', 'stop']).optional().describe('vzdump mode (default snapshot: no downtime)'),
  }),
  output: z.object({
    node: z.string(),
    vmid: z.number(),
    storage: z.string(),
    upid: z.string(),
    exitstatus: z.string(),
    volid: z.string().optional().describe('the archive written'),
  }),
  target: (a) => ({ node: a.node, vmid: a.vmid }),
  plan: (a) => `back up guest ${a.vmid} on ${a.node} to ${a.storage ?? 'the first configured backup storage'}`,
  async handler(args, ctx) {
    const allowed = ctx.deps.config.proxmox?.backupStorages ?? [];
    const storage = args.storage ?? allowed[0];
    if (!storage || !allowed.includes(storage))
      throw new ToolFailure(
        `failed to back up guest ${args.vmid}: storage "${args.storage ?? ''}" is not in proxmox.backupStorages (configured: ${allowed.join(', ') || 'none'})`,
      );
    const px = proxmoxOf(ctx);
    const g = await locateGuest(px, ctx, args.node, args.vmid, 'back up');
    const label = guestLabel(g.type, args.vmid);
    const what = `back up ${label} on ${args.node} to ${storage}`;
    let upid = '';
    try {
      ({ upid } = await runTask(px, ctx, args.node, what, async () => {
        const id = await px.vzdump(args.node, { vmids: [args.vmid], storage, mode: args.mode }, ctx.signal);
        if (!id) throw new ToolFailure(`failed to ${what}: Proxmox says the guest is not on ${args.node}`);
        upid = id;
        return id;
      }));
    } catch (err) {
      // "job errors" says little: the task log names this guest's reason.
      const lines = upid ? await px.taskLog(args.node, upid, {}, ctx.signal).catch(() => []) : [];
      const reason = lines.find((l) => l.startsWith(`ERROR: Backup of VM ${args.vmid} failed - `));
      if (reason)
        throw new ToolFailure(`failed to ${what}: ${reason.slice(reason.indexOf(' - ') + 3)} (task job errors)`);
      throw err;
    }
    const content = await px
      .storageContent(args.node, storage, { content: 'backup', vmid: args.vmid }, ctx.signal)
      .catch(() => []);
    const newest = content.sort((a, b) => (b.ctime ?? 0) - (a.ctime ?? 0))[0];
    return {
      text: `backed up ${label} on ${args.node} to ${storage}${newest ? ` (${newest.volid}, ${fmtBytes(newest.size)})` : ''}`,
      data: {
        node: args.node,
        vmid: args.vmid,
        storage,
        upid,
        exitstatus: 'OK',
        ...(newest ? { volid: newest.volid } : {}),
      },
    };
  },
});

export const backupTools = [listBackups, getBackupJobs, runBackup];
