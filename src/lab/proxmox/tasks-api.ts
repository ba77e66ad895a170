/**
 * Task routes of the simulator (pve-manager Tasks.pm): the node's task list with its filters and
 * `total`, one task's status (a token's user split into user + tokenid), and its log lines ending
 * in `TASK OK` or `TASK ERROR: …`.
 */
import { has, intArg, need, paramError, proxied, type ApiContext } from './api-common.js';
import { ApiError, path, type ApiReply, type Route } from './http.js';
import { decodeUpid, type LabTask } from './tasks.js';

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

/** The task routes. */
export const taskRoutes: Route<ApiContext>[] = [
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
    pattern: path('/nodes/:node/tasks/:upid/log'),
    handler: (r, ctx) => taskLog(ctx, proxied(ctx, r.params.node!).name, r.params.upid!, r.args),
  },
];
