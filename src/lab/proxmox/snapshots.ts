/**
 * Snapshot routes of the simulator (`/nodes/{node}/qemu|lxc/{vmid}/snapshot`), after qemu-server
 * and pve-container: the name is checked before the fork (400 bad format, 500 reserved name);
 * locks and existence are checked in the worker, which holds the lock `snapshot`,
 * `snapshot-delete` or `rollback` while the task runs.
 */
import { guestOn, need, paramError, proxied, vmidParam, type ApiContext } from './api-common.js';
import { ApiError, path, type ApiRequest, type Route } from './http.js';
import type { LabGuest } from './world.js';

const G = '/nodes/:node/(?<type>qemu|lxc)/:vmid';

/** `pve-snapshot-name` (pve-common JSONSchema.pm): a letter, then letters, digits, `_` or `-`; 2–40 characters. */
export const SNAPSHOT_NAME = /^[a-z][a-z0-9_-]+$/i;

function target(r: ApiRequest, ctx: ApiContext, priv: string): LabGuest {
  const vmid = vmidParam(r.params.vmid!);
  need(ctx, `/vms/${vmid}`, priv);
  proxied(ctx, r.params.node!);
  return guestOn(ctx, r.params.node!, r.params.type as 'qemu' | 'lxc', vmid);
}

function checkName(g: LabGuest, name: string | undefined): string {
  if (name === undefined || name === '') throw paramError('snapname', 'property is missing and it is not optional');
  if (name.length > 40) throw paramError('snapname', 'value may only be 40 characters long');
  if (!SNAPSHOT_NAME.test(name)) throw paramError('snapname', `invalid format - invalid configuration ID '${name}'`);
  const reserved =
    name === 'current' ||
    (g.type === 'qemu' && name.toLowerCase() === 'pending') ||
    (g.type === 'lxc' && name === 'vzdump');
  if (reserved) throw new ApiError(500, `unable to use snapshot name '${name}' (reserved name)`);
  return name;
}

/** AbstractConfig::check_lock, run in the worker. */
function checkLock(g: LabGuest): void {
  if (g.lock) throw new Error(`${g.type === 'qemu' ? 'VM' : 'CT'} is locked (${g.lock})`);
}

function setLock(ctx: ApiContext, g: LabGuest, lock: string | null): void {
  ctx.state.lockGuest(g.vmid, lock);
}

function listSnapshots(ctx: ApiContext, g: LabGuest): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = g.snapshots.map((s) => ({
    name: s.name,
    description: s.description,
    snaptime: s.snaptime,
    ...(s.parent ? { parent: s.parent } : {}),
    ...(g.type === 'qemu' ? { vmstate: s.vmstate ? 1 : 0 } : {}),
  }));
  out.push({
    name: 'current',
    description: 'You are here!',
    running: g.status === 'running' ? 1 : 0,
    digest: `${g.vmid.toString(16).padStart(8, '0')}${g.snapshots.length.toString(16).padStart(32, '0')}`,
    ...(g.parent ? { parent: g.parent } : {}),
  });
  return out;
}

function takeSnapshot(ctx: ApiContext, g: LabGuest, a: Record<string, string>): string {
  const name = checkName(g, a.snapname);
  const s = ctx.state;
  return s.tasks.run({
    node: g.node,
    type: g.type === 'qemu' ? 'qmsnapshot' : 'vzsnapshot',
    id: String(g.vmid),
    user: ctx.token.id,
    durationMs: s.taskMs,
    begin: () => {
      checkLock(g);
      if (g.snapshots.some((x) => x.name === name)) throw new Error(`snapshot name '${name}' already used`);
      setLock(ctx, g, 'snapshot');
    },
    work: () => {
      g.snapshots.push({
        name,
        description: a.description ?? '',
        snaptime: Math.floor(s.now() / 1000),
        ...(g.parent ? { parent: g.parent } : {}),
        ...(g.type === 'qemu'
          ? { vmstate: (a.vmstate === '1' || a.vmstate === 'true') && g.status === 'running' }
          : {}),
      });
      g.parent = name;
      setLock(ctx, g, null);
      return 'OK';
    },
  }).upid;
}

type LabSnapshot = LabGuest['snapshots'][number];

/**
 * A task on an existing snapshot: the guest must be unlocked and the snapshot exist when the worker
 * starts; it holds `lock` until `apply` runs on the snapshot (which must still exist then).
 */
function onSnapshot(
  ctx: ApiContext,
  g: LabGuest,
  name: string,
  task: { qemu: string; lxc: string; lock: string },
  apply: (snap: LabSnapshot) => void,
): string {
  const missing = () => new Error(`snapshot '${name}' does not exist`);
  return ctx.state.tasks.run({
    node: g.node,
    type: g.type === 'qemu' ? task.qemu : task.lxc,
    id: String(g.vmid),
    user: ctx.token.id,
    durationMs: ctx.state.taskMs,
    begin: () => {
      checkLock(g);
      if (!g.snapshots.some((x) => x.name === name)) throw missing();
      setLock(ctx, g, task.lock);
    },
    work: () => {
      const snap = g.snapshots.find((x) => x.name === name);
      setLock(ctx, g, null);
      if (!snap) throw missing();
      apply(snap);
      return 'OK';
    },
  }).upid;
}

function rollback(ctx: ApiContext, g: LabGuest, name: string, a: Record<string, string>): string {
  return onSnapshot(ctx, g, name, { qemu: 'qmrollback', lxc: 'vzrollback', lock: 'rollback' }, (snap) => {
    // The running guest is stopped first; a snapshot with RAM brings the VM back running by itself.
    ctx.state.setGuestStatus(g.vmid, 'stopped', 'rollback');
    if (snap.vmstate || a.start === '1' || a.start === 'true') ctx.state.setGuestStatus(g.vmid, 'running', 'rollback');
    g.parent = name;
  });
}

function deleteSnapshot(ctx: ApiContext, g: LabGuest, name: string): string {
  const task = { qemu: 'qmdelsnapshot', lxc: 'vzdelsnapshot', lock: 'snapshot-delete' };
  return onSnapshot(ctx, g, name, task, (snap) => {
    g.snapshots = g.snapshots.filter((x) => x !== snap);
    for (const child of g.snapshots) if (child.parent === name) child.parent = snap.parent;
    if (g.parent === name) g.parent = snap.parent;
  });
}

/** The snapshot routes. */
export const snapshotRoutes: Route<ApiContext>[] = [
  {
    method: 'GET',
    pattern: path(`${G}/snapshot`),
    handler: (r, ctx) => ({ data: listSnapshots(ctx, target(r, ctx, 'VM.Audit')) }),
  },
  {
    method: 'POST',
    pattern: path(`${G}/snapshot`),
    handler: (r, ctx) => ({ data: takeSnapshot(ctx, target(r, ctx, 'VM.Snapshot'), r.args) }),
  },
  {
    method: 'POST',
    pattern: path(`${G}/snapshot/:snapname/rollback`),
    handler: (r, ctx) => ({ data: rollback(ctx, target(r, ctx, 'VM.Snapshot'), r.params.snapname!, r.args) }),
  },
  {
    method: 'DELETE',
    pattern: path(`${G}/snapshot/:snapname`),
    handler: (r, ctx) => ({ data: deleteSnapshot(ctx, target(r, ctx, 'VM.Snapshot'), r.params.snapname!) }),
  },
];
