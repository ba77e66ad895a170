/**
 * The `/api2/json` routes of the simulator: cluster, nodes, guests, storage, tasks, services.
 * Order of checks as in pve-http-server: token (401, in server.ts) → route (501) → privilege (403) →
 * proxy to the node (500 unknown node, 595 offline node) → handler (500 with its message).
 */
import { guestOn, has, intArg, need, paramError, proxied, vmidParam, type ApiContext } from './api-common.js';
import { agentRoutes } from './agent.js';
import { backupRoutes } from './backups.js';
import { haRoutes } from './ha.js';
import { ApiError, path, type ApiReply, type ApiRequest, type Route } from './http.js';
import { migrateRoutes } from './migrate.js';
import { snapshotRoutes } from './snapshots.js';
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
import { decodeUpid, type LabTask } from './tasks.js';
import type { LabNode } from './world.js';

export type { ApiContext, LabToken } from './api-common.js';

function taskListEntry(t: LabTask): Record<string, unknown> {
  const { upid, node, pid, pstart, starttime, type, id, user } = t;
  const done = t.status === 'stopped';
  return {
    upid,
    node,
    pid,
    pstart,
    starttime,
    type,
    id,
    user,
    status: done ? t.exitstatus : 'RUNNING',
    ...(done ? { endtime: t.endtime } : {}),
  };
}

function listTasks(ctx: ApiContext, node: string, a: Record<string, string>): ApiReply {
  const source = a.source ?? 'archive';
  if (!['archive', 'active', 'all'].includes(source))
    throw paramError('source', `value '${source}' does not have a value in the enumeration 'archive, active, all'`);
  const start = intArg(a, 'start') ?? 0;
  const limit = intArg(a, 'limit') ?? 50;
  const vmid = intArg(a, 'vmid');
  const since = intArg(a, 'since');
  const until = intArg(a, 'until');
  const statuses = a.statusfilter ? a.statusfilter.split(/[,;\s]+/) : undefined;
  const kind = (t: LabTask) =>
    t.exitstatus === 'OK'
      ? 'ok'
      : t.exitstatus?.startsWith('WARNINGS')
        ? 'warning'
        : t.exitstatus === 'unexpected status'
          ? 'unknown'
          : 'error';
  // Without Sys.Audit on the node a user sees only its own tasks.
  const all = !has(ctx, 'Sys.Audit');
  const tasks = ctx.state.tasks
    .list(node)
    .filter((t) => (source === 'all' ? true : source === 'active' ? t.status === 'running' : t.status === 'stopped'))
    .filter((t) => !all || t.user === ctx.token.id)
    .filter((t) => vmid === undefined || t.id === String(vmid))
    .filter((t) => !a.typefilter || t.type === a.typefilter)
    .filter((t) => !a.userfilter || t.user.includes(a.userfilter))
    .filter((t) => since === undefined || t.starttime >= since)
    .filter((t) => until === undefined || t.starttime <= until)
    .filter((t) => a.errors !== '1' || (t.status === 'stopped' && kind(t) !== 'ok'))
    .filter((t) => !statuses || (t.status === 'stopped' && statuses.includes(kind(t))))
    .sort((x, y) => y.starttime - x.starttime || y.pid - x.pid);
  return { data: tasks.slice(start, start + limit).map(taskListEntry), total: tasks.length };
}

function taskStatus(ctx: ApiContext, node: string, upid: string): ApiReply {
  const parsed = decodeUpid(upid);
  if (!parsed)
    throw new ApiError(400, 'upid: unable to parse worker upid', { errors: { upid: 'unable to parse worker upid' } });
  const t = ctx.state.tasks.get(upid);
  if (!t || t.node !== node) throw new ApiError(400, 'no such task');
  if (t.user !== ctx.token.id) need(ctx, `/nodes/${node}`, 'Sys.Audit');
  const { upid: u, pid, pstart, starttime, type, id, status } = t;
  // Tasks.pm $convert_token_task: `root@pam!vigil` becomes user + tokenid.
  const bang = t.user.indexOf('!');
  const who = bang < 0 ? { user: t.user } : { user: t.user.slice(0, bang), tokenid: t.user.slice(bang + 1) };
  return {
    data: {
      upid: u,
      node: t.node,
      pid,
      pstart,
      starttime,
      type,
      id,
      ...who,
      status,
      ...(status === 'stopped' ? { exitstatus: t.exitstatus } : {}),
    },
  };
}

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

function taskLog(ctx: ApiContext, node: string, upid: string, a: Record<string, string>): ApiReply {
  const t = ctx.state.tasks.get(upid);
  if (!t || t.node !== node) throw new ApiError(400, 'no such task');
  if (t.user !== ctx.token.id) need(ctx, `/nodes/${node}`, 'Sys.Audit');
  const end = t.status === 'running' ? [] : [t.exitstatus === 'OK' ? 'TASK OK' : `TASK ERROR: ${t.exitstatus}`];
  const lines = [...t.log, ...end].map((line, i) => ({ n: i + 1, t: line }));
  const start = intArg(a, 'start') ?? 0;
  const limit = intArg(a, 'limit') ?? 50;
  return { data: lines.slice(start, start + limit), total: lines.length };
}

/** The route table. Handlers that touch one node call `proxied` first. */
export const apiRoutes: Route<ApiContext>[] = [
  ...snapshotRoutes,
  ...backupRoutes,
  ...agentRoutes,
  ...haRoutes,
  ...migrateRoutes,
  {
    method: 'GET',
    pattern: path('/nodes/:node/tasks/:upid/log'),
    handler: (r, ctx) => taskLog(ctx, proxied(ctx, r.params.node!).name, r.params.upid!, r.args),
  },
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
    pattern: path('/nodes/:node/tasks'),
    handler: (r, ctx) => listTasks(ctx, proxied(ctx, r.params.node!).name, r.args),
  },
  {
    method: 'GET',
    pattern: path('/nodes/:node/tasks/:upid/status'),
    handler: (r, ctx) => taskStatus(ctx, proxied(ctx, r.params.node!).name, r.params.upid!),
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
