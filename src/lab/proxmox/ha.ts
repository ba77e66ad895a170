/**
 * HA and node wake-up routes of the simulator: `/cluster/ha/resources` and
 * `/cluster/ha/status/current` from the guests' HA state (pve-ha-manager), and
 * `POST /nodes/{node}/wakeonlan`, which the node the API runs on (pve1, the lab's `local` node)
 * sends for its peer (pve-manager Nodes.pm::wakeonlan, no proxying).
 */
import { need, type ApiContext } from './api-common.js';
import { ApiError, path, type Route } from './http.js';
import type { LabGuest } from './world.js';

const sid = (g: LabGuest) => `${g.type === 'qemu' ? 'vm' : 'ct'}:${g.vmid}`;

/** The requested resource state behind a CRM state. */
function requested(g: LabGuest): string {
  return g.ha.state === 'stopped' || g.ha.state === 'request_stop' ? 'stopped' : 'started';
}

function haStatus(ctx: ApiContext): Record<string, unknown>[] {
  const s = ctx.state;
  const t = Math.floor(s.now() / 1000);
  const when = new Date(s.now()).toUTCString();
  const nodes = s.listNodes();
  const master = nodes.find((n) => n.online);
  const managed = s.listGuests().filter((g) => g.ha.managed);
  return [
    { id: 'quorum', type: 'quorum', node: master?.name ?? 'pve1', status: 'OK', quorate: 1 },
    ...(master
      ? [{ id: 'master', type: 'master', node: master.name, status: `${master.name} (active, ${when})`, timestamp: t }]
      : []),
    ...nodes.map((n) => ({
      id: `lrm:${n.name}`,
      type: 'lrm',
      node: n.name,
      status: n.online
        ? `${n.name} (${managed.some((g) => g.node === n.name) ? 'active' : 'idle'}, ${when})`
        : `${n.name} (old timestamp - dead?, ${when})`,
      timestamp: t,
    })),
    ...managed.map((g) => {
      const crm = g.ha.state ?? 'started';
      const state = crm === 'request_start' ? 'starting' : crm === 'request_stop' ? 'stopping' : crm;
      return {
        id: `service:${sid(g)}`,
        type: 'service',
        sid: sid(g),
        node: g.node,
        crm_state: crm,
        state,
        request_state: requested(g),
        status: `${sid(g)} (${g.node}, ${state})`,
        max_restart: 1,
        max_relocate: 1,
        failback: 1,
      };
    }),
  ];
}

/** The HA and wake-on-LAN routes. */
export const haRoutes: Route<ApiContext>[] = [
  {
    method: 'GET',
    pattern: path('/cluster/ha/resources'),
    handler: (r, ctx) => {
      need(ctx, '/', 'Sys.Audit');
      const type = r.args.type;
      return {
        data: ctx.state
          .listGuests()
          .filter((g) => g.ha.managed && (!type || type === (g.type === 'qemu' ? 'vm' : 'ct')))
          .map((g) => ({
            sid: sid(g),
            type: g.type === 'qemu' ? 'vm' : 'ct',
            digest: `${g.vmid.toString(16).padStart(40, '0')}`,
            ...(requested(g) === 'stopped' ? { state: 'stopped' } : {}),
          })),
      };
    },
  },
  {
    method: 'GET',
    pattern: path('/cluster/ha/status/current'),
    handler: (_r, ctx) => {
      need(ctx, '/', 'Sys.Audit');
      return { data: haStatus(ctx) };
    },
  },
  {
    method: 'POST',
    pattern: path('/nodes/:node/wakeonlan'),
    handler: (r, ctx) => {
      const name = r.params.node!;
      need(ctx, `/nodes/${name}`, 'Sys.PowerMgmt');
      const s = ctx.state;
      const target = s.getNode(name);
      if (!target) throw new ApiError(500, `no such cluster node '${name}'`);
      const local = s.listNodes().find((n) => n.nodeid === 1)!;
      if (target === local) throw new ApiError(500, `'${name}' is local node, cannot wake my self!`);
      // The lab's API stands for pve1's pveproxy: with pve1 off, nobody answers.
      if (!local.online) throw new ApiError(595, 'No route to host', { emptyBody: true });
      s.wakeByMac(target.mac);
      return { data: target.mac };
    },
  },
];
