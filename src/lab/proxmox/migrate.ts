/**
 * Migration routes of the simulator, after qemu-server (`migrate_vm_precondition`, `migrate_vm`)
 * and pve-container: pre-fork refusals are 500/400 with Proxmox's text; the `qmigrate`/`vzmigrate`
 * task holds the lock `migrate` and moves the guest; an HA-managed guest gets a `hamigrate` task
 * that ends OK at once while the HA manager runs the real migration as root@pam.
 */
import type { LabState } from '../state.js';
import { guestOn, need, paramError, proxied, vmidParam, type ApiContext } from './api-common.js';
import { ApiError, path, type ApiRequest, type Route } from './http.js';
import type { LabGuest } from './world.js';

const truthy = (v: string | undefined) => v === '1' || v === 'true';

function guestOf(r: ApiRequest, ctx: ApiContext): LabGuest {
  const vmid = vmidParam(r.params.vmid!);
  need(ctx, `/vms/${vmid}`, 'VM.Migrate');
  proxied(ctx, r.params.node!);
  return guestOn(ctx, r.params.node!, r.params.type as 'qemu' | 'lxc', vmid);
}

const lockText = (g: LabGuest) => `${g.type === 'qemu' ? 'VM' : 'CT'} is locked (${g.lock})`;

/** GET …/migrate: which nodes could take the guest, and what ties it to this one. */
function precondition(ctx: ApiContext, g: LabGuest): Record<string, unknown> {
  if (g.lock) throw new ApiError(500, lockText(g));
  const others = ctx.state.listNodes().filter((n) => n.name !== g.node);
  const allowed = others.filter((n) => n.online).map((n) => n.name);
  const notAllowed = Object.fromEntries(
    others.map((n) => [n.name, n.online ? {} : { unavailable_storages: ['local-lvm'] }]),
  );
  const running = g.status === 'running' ? 1 : 0;
  if (g.type === 'lxc')
    return { running, 'allowed-nodes': allowed, 'not-allowed-nodes': notAllowed, 'dependent-ha-resources': [] };
  return {
    running,
    allowed_nodes: allowed,
    not_allowed_nodes: notAllowed,
    local_disks: [
      {
        volid: `local-lvm:vm-${g.vmid}-disk-0`,
        size: g.maxdisk,
        cdrom: 0,
        is_unused: 0,
        is_attached: 1,
        is_tpmstate: 0,
        is_vmstate: 0,
        replicated: 0,
        drivename: 'scsi0',
      },
    ],
    local_resources: [],
    'mapped-resource-info': {},
    'has-dbus-vmstate': 1,
  };
}

/** Moves the guest in a worker that holds the `migrate` lock; fails the way AbstractMigrate does. */
function migrationTask(s: LabState, g: LabGuest, target: string, user: string, a: Record<string, string>): string {
  const running = g.status === 'running';
  return s.tasks.run({
    node: g.node,
    type: g.type === 'qemu' ? 'qmigrate' : 'vzmigrate',
    id: String(g.vmid),
    user,
    durationMs: 3 * s.taskMs,
    begin: () => {
      if (g.lock) throw new Error(lockText(g));
      s.lockGuest(g.vmid, 'migrate');
    },
    work: (log) => {
      s.lockGuest(g.vmid, null);
      if (!s.getNode(target)?.online) {
        log.push(`ERROR: migration aborted: target node ${target} is not online`);
        throw new Error('migration aborted');
      }
      if (g.type === 'qemu' && running && truthy(a.online) && !truthy(a['with-local-disks'])) {
        log.push("ERROR: can't live migrate attached local disks without with-local-disks option");
        throw new Error('migration aborted');
      }
      if (g.type === 'lxc' && running && truthy(a.online)) {
        log.push('ERROR: lxc live migration is currently not implemented');
        throw new Error('migration aborted');
      }
      const restart = g.type === 'lxc' && running;
      if (restart) s.setGuestStatus(g.vmid, 'stopped', 'migrate');
      log.push(`INFO: migrating guest ${g.vmid} from ${g.node} to ${target}`);
      g.node = target;
      if (restart) s.setGuestStatus(g.vmid, 'running', 'migrate');
      return 'OK';
    },
  }).upid;
}

function migrate(ctx: ApiContext, g: LabGuest, a: Record<string, string>): string {
  const s = ctx.state;
  const target = a.target;
  if (!target) throw paramError('target', 'property is missing and it is not optional');
  if (target === g.node) throw paramError('target', 'target is local node.');
  if (!s.getNode(target)) throw new ApiError(500, `no such cluster node '${target}'`);
  if (g.type === 'qemu' && g.lock) throw new ApiError(500, lockText(g));
  const running = g.status === 'running';
  if (g.type === 'qemu' && running && !truthy(a.online) && !g.ha.managed)
    throw new ApiError(500, "can't migrate running VM without --online");
  if (g.type === 'lxc' && running && !truthy(a.online) && !truthy(a.restart) && !g.ha.managed)
    throw new ApiError(500, "can't migrate running container without --online or --restart");
  if (!g.ha.managed) return migrationTask(s, g, target, ctx.token.id, a);
  return s.tasks.run({
    node: g.node,
    type: 'hamigrate',
    id: String(g.vmid),
    user: ctx.token.id,
    durationMs: Math.round(s.taskMs / 3),
    work: () => {
      if (g.ha.state === 'error')
        throw new Error(
          `service '${g.type === 'qemu' ? 'vm' : 'ct'}:${g.vmid}' in error state, must be disabled and fixed first`,
        );
      const before = g.ha.state;
      g.ha.state = 'migrate';
      s.schedule(s.haDelayMs, () => {
        // The LRM migrates a VM live with its disks; a container is shut down and moved (PVEVM.pm / PVECT.pm).
        const lrmArgs: Record<string, string> =
          g.type === 'qemu' ? { online: '1', 'with-local-disks': '1' } : { restart: '1' };
        migrationTask(s, g, target, 'root@pam', lrmArgs);
        s.schedule(3 * s.taskMs, () => {
          if (g.ha.state === 'migrate') g.ha.state = before;
        });
      });
      return 'OK';
    },
  }).upid;
}

/** The migration routes. */
export const migrateRoutes: Route<ApiContext>[] = [
  {
    method: 'GET',
    pattern: path('/nodes/:node/(?<type>qemu|lxc)/:vmid/migrate'),
    handler: (r, ctx) => ({ data: precondition(ctx, guestOf(r, ctx)) }),
  },
  {
    method: 'POST',
    pattern: path('/nodes/:node/(?<type>qemu|lxc)/:vmid/migrate'),
    handler: (r, ctx) => ({ data: migrate(ctx, guestOf(r, ctx), r.args) }),
  },
];
