/**
 * Backup routes of the simulator, after pve-manager's VZDump.pm and pve-storage: `POST
 * /nodes/{node}/vzdump` (one `vzdump` task for the node's guests, each locked `backup` while it
 * runs, ending `job errors` when any failed), the backup content of a storage, the cluster's
 * backup jobs and the guests no job covers.
 */
import type { LabState } from '../state.js';
import { has, need, paramError, proxied, type ApiContext } from './api-common.js';
import { ApiError, path, type Route } from './http.js';
import { storagesOf } from './render.js';
import type { LabBackup, LabGuest, LabNode } from './world.js';

/** `YYYY_MM_DD-HH_MM_SS` as in vzdump archive names (UTC in the lab). */
function stamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '_')}-${iso.slice(11, 19).replace(/:/g, '_')}`;
}

/** The archive a successful backup of `g` at `ms` leaves on `storage`. */
export function archiveOf(g: LabGuest, storage: string, ms: number): LabBackup {
  const format = g.type === 'qemu' ? 'vma.zst' : 'tar.zst';
  return {
    volid: `${storage}:backup/vzdump-${g.type}-${g.vmid}-${stamp(ms)}.${format}`,
    vmid: g.vmid,
    subtype: g.type,
    format,
    ctime: Math.floor(ms / 1000),
    size: Math.round(g.maxdisk * 0.04 + g.maxmem * 0.02),
  };
}

function backupTask(ctx: ApiContext, n: LabNode, guests: LabGuest[], storage: string, mode: string): string {
  const s: LabState = ctx.state;
  const errors = new Map<number, string>();
  const store = storagesOf(s, n).find((x) => x.storage === storage);
  return s.tasks.run({
    node: n.name,
    type: 'vzdump',
    id: guests.length === 1 ? String(guests[0]!.vmid) : '',
    user: ctx.token.id,
    durationMs: s.taskMs * Math.max(1, guests.length),
    begin: () => {
      if (!store)
        throw new Error(`could not get storage information for '${storage}': storage '${storage}' does not exist`);
      if (!store.content.split(',').includes('backup'))
        throw new Error(
          `could not get storage information for '${storage}': can't use storage '${storage}' for backups - wrong content type`,
        );
      for (const g of guests) {
        if (g.lock) errors.set(g.vmid, `${g.type === 'qemu' ? 'VM' : 'CT'} is locked (${g.lock})`);
        else if (mode === 'stop' && g.ha.managed && g.ha.state === 'started')
          errors.set(
            g.vmid,
            'Cannot execute a backup with stop mode on a HA managed and enabled Service. Use snapshot mode or disable the Service.',
          );
        else s.lockGuest(g.vmid, 'backup');
      }
    },
    work: (log) => {
      for (const g of guests) {
        if (errors.has(g.vmid)) continue;
        s.lockGuest(g.vmid, null);
        if (g.backupError) errors.set(g.vmid, g.backupError);
        else s.addBackup(n.name, archiveOf(g, storage, s.now()));
      }
      for (const g of guests) {
        const err = errors.get(g.vmid);
        log.push(err ? `ERROR: Backup of VM ${g.vmid} failed - ${err}` : `INFO: Finished Backup of VM ${g.vmid}`);
      }
      if (!errors.size) return 'OK';
      log.push('INFO: Backup job finished with errors');
      throw new Error('job errors');
    },
  }).upid;
}

function vzdump(ctx: ApiContext, node: string, a: Record<string, string>): unknown {
  const n = proxied(ctx, node);
  const storage = a.storage ?? 'local';
  if (!a.vmid && a.all !== '1') throw paramError('vmid', 'property is missing');
  const mode = a.mode ?? 'snapshot';
  if (!['snapshot', 'suspend', 'stop'].includes(mode))
    throw paramError('mode', `value '${mode}' does not have a value in the enumeration 'snapshot, suspend, stop'`);
  need(ctx, `/storage/${storage}`, 'Datastore.AllocateSpace');
  const wanted = a.all === '1' ? undefined : a.vmid!.split(/[,;\s]+/).filter(Boolean);
  if (wanted?.some((v) => !/^\d+$/.test(v)))
    throw paramError('vmid', `invalid format - value does not look like a valid VM ID`);
  const guests = ctx.state
    .listGuests()
    .filter((g) => g.node === n.name && (!wanted || wanted.includes(String(g.vmid))));
  if (!guests.length) return 'OK';
  for (const g of guests) need(ctx, `/vms/${g.vmid}`, 'VM.Backup');
  return backupTask(ctx, n, guests, storage, mode);
}

function content(ctx: ApiContext, node: string, storage: string, a: Record<string, string>): unknown[] {
  const n = proxied(ctx, node);
  const store = storagesOf(ctx.state, n).find((x) => x.storage === storage);
  if (!store) throw new ApiError(500, `storage '${storage}' does not exist`);
  if (!has(ctx, 'Datastore.Audit') && !has(ctx, 'Datastore.AllocateSpace'))
    need(ctx, `/storage/${storage}`, 'Datastore.Audit');
  const vmid = a.vmid === undefined ? undefined : Number(a.vmid);
  const items: Record<string, unknown>[] = [];
  if (storage === 'local') items.push(...n.backups.map((b) => ({ ...b, content: 'backup' })));
  if (storage === 'local-lvm')
    items.push(
      ...ctx.state
        .listGuests()
        .filter((g) => g.node === n.name)
        .map((g) => ({
          volid: `local-lvm:${g.type === 'qemu' ? 'vm' : 'subvol'}-${g.vmid}-disk-0`,
          content: g.type === 'qemu' ? 'images' : 'rootdir',
          format: 'raw',
          size: g.maxdisk,
          vmid: g.vmid,
        })),
    );
  return items
    .filter((i) => !a.content || i.content === a.content)
    .filter((i) => vmid === undefined || i.vmid === vmid)
    .sort((x, y) => String(x.volid).toLowerCase().localeCompare(String(y.volid).toLowerCase()));
}

/** The lab's one scheduled job: every guest but the last, nightly at 02:00 to `local`. */
function jobs(ctx: ApiContext): Record<string, unknown>[] {
  const guests = ctx.state.listGuests();
  const next = new Date(ctx.state.now());
  next.setUTCHours(2, 0, 0, 0);
  if (next.getTime() <= ctx.state.now()) next.setUTCDate(next.getUTCDate() + 1);
  return [
    {
      id: 'backup-5f3c9a1e-1b2d',
      type: 'vzdump',
      schedule: '02:00',
      enabled: 1,
      'next-run': Math.floor(next.getTime() / 1000),
      comment: 'nightly',
      'repeat-missed': 0,
      storage: 'local',
      mode: 'snapshot',
      compress: 'zstd',
      vmid: guests
        .slice(0, -1)
        .map((g) => g.vmid)
        .join(','),
      'prune-backups': { 'keep-last': '3' },
    },
  ];
}

/** The backup routes. */
export const backupRoutes: Route<ApiContext>[] = [
  {
    method: 'POST',
    pattern: path('/nodes/:node/vzdump'),
    handler: (r, ctx) => ({ data: vzdump(ctx, r.params.node!, r.args) }),
  },
  {
    method: 'GET',
    pattern: path('/nodes/:node/storage/:storage/content'),
    handler: (r, ctx) => ({ data: content(ctx, r.params.node!, r.params.storage!, r.args) }),
  },
  {
    method: 'GET',
    pattern: path('/cluster/backup'),
    handler: (_r, ctx) => {
      need(ctx, '/', 'Sys.Audit');
      return { data: jobs(ctx) };
    },
  },
  {
    method: 'GET',
    pattern: path('/cluster/backup-info/not-backed-up'),
    handler: (_r, ctx) => {
      need(ctx, '/', 'Sys.Audit');
      const covered = new Set(String(jobs(ctx)[0]!.vmid).split(','));
      return {
        data: ctx.state
          .listGuests()
          .filter((g) => !covered.has(String(g.vmid)))
          .map((g) => ({ vmid: g.vmid, type: g.type, name: g.name })),
      };
    },
  },
];
