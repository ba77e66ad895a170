/**
 * The `/api2/json` routes of the simulator: cluster, nodes, guests, storage, tasks, services.
 * Order of checks as in pve-http-server: token (401, in server.ts) → route (501) → privilege (403) →
 * proxy to the node (500 unknown node, 595 offline node) → handler (500 with its message).
 */
import { guestOn, has, need, paramError, proxied, vmidParam, type ApiContext } from './api-common.js';
import { agentRoutes } from './agent.js';
import { backupRoutes } from './backups.js';
import { haRoutes } from './ha.js';
import { ApiError, path, type ApiReply, type ApiRequest, type Route } from './http.js';
import { migrateRoutes } from './migrate.js';
import { snapshotRoutes } from './snapshots.js';
import { taskRoutes } from './tasks-api.js';
import { GUEST_ACTIONS, startGuestAction, type GuestAction } from './guest-actions.js';
import {
  guestListEntry,
  guestStatusCurrent,
  nodeStatus,
  nodeStorage,
  PVE_SERVICES,
  resourceGuest,
  resourceNode,
  resourceStorages,
  serviceEntry,
} from './render.js';
import type { LabNode } from './world.js';

export type { ApiContext, LabToken } from './api-common.js';

function clusterResources(ctx: ApiContext, type: string | undefined): ApiReply {
  if (type !== undefined && !['vm', 'storage', 'node', 'sdn'].includes(type)) {
    throw paramError('type', `value '${type}' does not have a value in the enumeration 'vm, storage, node, sdn'`);
  }
  const s = ctx.state;
  const out: Record<string, unknown>[] = [];
  if ((!type || type === 'vm') && has(ctx, 'VM.Audit')) out.push(...s.listGuests().map((g) => resourceGuest(s, g)));
  if ((!type || type === 'node') && has(ctx, 'Sys.Audit')) out.push(...s.listNodes().map((n) => resourceNode(s, n)));
  if ((!type || type === 'storage') && has(ctx, 'Datastore.Audit'))
    out.push(...s.listNodes().flatMap((n) => resourceStorages(s, n)));
  return { data: out };
}

function clusterStatus(ctx: ApiContext): ApiReply {
  need(ctx, '/', 'Sys.Audit');
  const nodes = ctx.state.listNodes();
  const online = nodes.filter((n) => n.online).length;
  return {
    data: [
      {
        type: 'cluster',
        id: 'cluster',
        name: ctx.state.clusterName,
        nodes: nodes.length,
        version: nodes.length + 1,
        quorate: online * 2 > nodes.length ? 1 : 0,
      },
      // The lab's API endpoint stands for pve1's pveproxy, so pve1 is `local`.
      ...nodes.map((n) => ({
        type: 'node',
        id: `node/${n.name}`,
        name: n.name,
        nodeid: n.nodeid,
        ip: n.ip,
        local: n.nodeid === 1 ? 1 : 0,
        online: n.online ? 1 : 0,
        level: '',
      })),
    ],
  };
}

function listNodes(ctx: ApiContext): ApiReply {
  return {
    data: ctx.state.listNodes().map((n) => {
      const entry: Record<string, unknown> = { ...resourceNode(ctx.state, n), ssl_fingerprint: ctx.fingerprint };
      delete entry['cgroup-mode'];
      if (has(ctx, 'Sys.Audit')) return entry;
      return {
        id: entry.id,
        type: 'node',
        node: n.name,
        status: entry.status,
        level: '',
        ssl_fingerprint: ctx.fingerprint,
      };
    }),
  };
}

function nodeCommand(ctx: ApiContext, n: LabNode, command: string | undefined): ApiReply {
  if (command !== 'reboot' && command !== 'shutdown') {
    throw paramError(
      'command',
      command
        ? `value '${command}' does not have a value in the enumeration 'reboot, shutdown'`
        : 'property is missing and it is not optional',
    );
  }
  // Nodes.pm node_cmd runs `(sleep 2; reboot)&` and returns null: there is no task to follow.
  const s = ctx.state;
  s.schedule(s.taskMs, () => s.setNodeOnline(n.name, false));
  if (command === 'reboot') {
    s.schedule(s.taskMs + s.bootMs, () => {
      if (!s.getNode(n.name)?.online) s.setNodeOnline(n.name, true);
    });
  }
  return { data: null };
}

function serviceState(ctx: ApiContext, node: string, id: string): ApiReply {
  if (!PVE_SERVICES[id])
    throw paramError(
      'service',
      `value '${id}' does not have a value in the enumeration '${Object.keys(PVE_SERVICES).join(', ')}'`,
    );
  need(ctx, `/nodes/${node}`, 'Sys.Audit');
  return { data: serviceEntry(ctx.state, node, id) ?? null };
}

const G = '/nodes/:node/(?<type>qemu|lxc)';

/** The route table. Handlers that touch one node call `proxied` first. */
export const apiRoutes: Route<ApiContext>[] = [
  ...snapshotRoutes,
  ...backupRoutes,
  ...agentRoutes,
  ...haRoutes,
  ...migrateRoutes,
  ...taskRoutes,
  { method: 'GET', pattern: path('/cluster/status'), handler: (_r, ctx) => clusterStatus(ctx) },
  { method: 'GET', pattern: path('/cluster/resources'), handler: (r, ctx) => clusterResources(ctx, r.args.type) },
  { method: 'GET', pattern: path('/nodes'), handler: (_r, ctx) => listNodes(ctx) },
  {
    method: 'GET',
    pattern: path('/nodes/:node/status'),
    handler: (r, ctx) => {
      need(ctx, `/nodes/${r.params.node}`, 'Sys.Audit');
      return { data: nodeStatus(ctx.state, proxied(ctx, r.params.node!)) };
    },
  },
  {
    method: 'POST',
    pattern: path('/nodes/:node/status'),
    handler: (r, ctx) => {
      need(ctx, `/nodes/${r.params.node}`, 'Sys.PowerMgmt');
      return nodeCommand(ctx, proxied(ctx, r.params.node!), r.args.command);
    },
  },
  {
    method: 'GET',
    pattern: path(G),
    handler: (r, ctx) => {
      const n = proxied(ctx, r.params.node!);
      const guests = ctx.state
        .listGuests()
        .filter((g) => g.node === n.name && g.type === r.params.type && has(ctx, 'VM.Audit'));
      return { data: guests.map((g) => guestListEntry(ctx.state, g)) };
    },
  },
  {
    method: 'GET',
    pattern: path(`${G}/:vmid/status/current`),
    handler: (r, ctx) => {
      const vmid = vmidParam(r.params.vmid!);
      need(ctx, `/vms/${vmid}`, 'VM.Audit');
      proxied(ctx, r.params.node!);
      return {
        data: guestStatusCurrent(ctx.state, guestOn(ctx, r.params.node!, r.params.type as 'qemu' | 'lxc', vmid)),
      };
    },
  },
  {
    method: 'POST',
    pattern: path(`${G}/:vmid/status/(?<action>[a-z]+)`),
    handler: (r, ctx) => {
      const vmid = vmidParam(r.params.vmid!);
      const action = r.params.action as GuestAction;
      if (!GUEST_ACTIONS.includes(action) || (action === 'reset' && r.params.type === 'lxc'))
        throw new ApiError(501, `Method 'POST ${r.path}' not implemented`);
      need(ctx, `/vms/${vmid}`, 'VM.PowerMgmt');
      proxied(ctx, r.params.node!);
      const g = guestOn(ctx, r.params.node!, r.params.type as 'qemu' | 'lxc', vmid);
      return { data: startGuestAction(ctx.state, g, action, r.args, ctx.token.id) };
    },
  },
  {
    method: 'GET',
    pattern: path('/nodes/:node/storage'),
    handler: (r, ctx) => {
      const n = proxied(ctx, r.params.node!);
      return { data: has(ctx, 'Datastore.Audit') ? nodeStorage(ctx.state, n) : [] };
    },
  },
  {
    method: 'GET',
    pattern: path('/nodes/:node/services'),
    handler: (r, ctx) => {
      need(ctx, `/nodes/${r.params.node}`, 'Sys.Audit');
      const n = proxied(ctx, r.params.node!);
      return { data: Object.keys(PVE_SERVICES).flatMap((id) => serviceEntry(ctx.state, n.name, id) ?? []) };
    },
  },
  {
    method: 'GET',
    pattern: path('/nodes/:node/services/:service/state'),
    handler: (r, ctx) => serviceState(ctx, proxied(ctx, r.params.node!).name, r.params.service!),
  },
];

/** Parses `Authorization: PVEAPIToken=USER@REALM!TOKENID=SECRET` like Formatter::extract_auth_value. */
export function parseTokenHeader(header: string | undefined): { id: string; secret: string } | undefined {
  const m = /(?:^|\s)PVEAPIToken(?:=| )([^;]*)/.exec(header ?? '');
  if (!m) return undefined;
  const value = m[1]!.trim();
  const eq = value.lastIndexOf('=');
  return eq < 0 ? { id: value, secret: '' } : { id: value.slice(0, eq), secret: value.slice(eq + 1) };
}

export type { ApiRequest };
