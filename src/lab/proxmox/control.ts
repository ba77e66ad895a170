/**
 * The lab's control API under `/_lab/` (loopback only, no token): chaos and inspection for
 * tests and the demo. Replies are plain JSON (`{ok: true, ...}` or `{error}`), not PVE envelopes.
 */
import type { LabState } from '../state.js';
import { ApiError, path, type Route } from './http.js';

const LOCKS = [
  'backup',
  'clone',
  'create',
  'destroyed',
  'disk',
  'fstrim',
  'migrate',
  'mounted',
  'rollback',
  'snapshot',
  'snapshot-delete',
  'suspending',
  'suspended',
];

function guestOf(state: LabState, raw: string) {
  const g = /^\d+$/.test(raw) ? state.getGuest(Number(raw)) : undefined;
  if (!g) throw new ApiError(404, `no such guest ${raw}`);
  return g;
}

function nodeOf(state: LabState, name: string) {
  const n = state.getNode(name);
  if (!n) throw new ApiError(404, `no such node ${name}`);
  return n;
}

function objectBody(json: unknown): Record<string, unknown> {
  if (json === undefined) return {};
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new ApiError(400, 'body: expected a JSON object');
  return json as Record<string, unknown>;
}

function percent(body: Record<string, unknown>, field: string): number | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100)
    throw new ApiError(400, `${field}: expected a number from 0 to 100`);
  return v;
}

const ok = (extra: Record<string, unknown> = {}) => ({ data: { ok: true, ...extra } });

/** The control routes; the server answers them without token checks, and only to loopback peers. */
export const controlRoutes: Route<LabState>[] = [
  { method: 'GET', pattern: path('/_lab/state'), handler: (_r, s) => ({ data: s.snapshot() }) },
  {
    method: 'POST',
    pattern: path('/_lab/guests/:vmid/crash'),
    handler: (r, s) => {
      s.crashGuest(guestOf(s, r.params.vmid!).vmid);
      return ok();
    },
  },
  {
    method: 'POST',
    pattern: path('/_lab/guests/:vmid/stop'),
    handler: (r, s) => ok({ upid: s.operatorStop(guestOf(s, r.params.vmid!).vmid).upid }),
  },
  {
    method: 'POST',
    pattern: path('/_lab/guests/:vmid/lock'),
    handler: (r, s) => {
      const g = guestOf(s, r.params.vmid!);
      const body = objectBody(r.json);
      if (!('lock' in body)) throw new ApiError(400, 'lock: required (a lock name, or null or "" to unlock)');
      const lock = body.lock;
      if (lock !== null && lock !== '' && (typeof lock !== 'string' || !LOCKS.includes(lock))) {
        throw new ApiError(400, `lock: expected one of ${LOCKS.join(', ')}, or null or "" to unlock`);
      }
      s.lockGuest(g.vmid, (lock as string | null) || null);
      return ok({ lock: g.lock ?? null });
    },
  },
  {
    method: 'POST',
    pattern: path('/_lab/nodes/:node/(?<dir>down|up)'),
    handler: (r, s) => {
      s.setNodeOnline(nodeOf(s, r.params.node!).name, r.params.dir === 'up');
      return ok();
    },
  },
  {
    method: 'POST',
    pattern: path('/_lab/nodes/:node/services/:unit/(?<op>fail|restore)'),
    handler: (r, s) => {
      const n = nodeOf(s, r.params.node!);
      const unit = r.params.unit!;
      if (s.serviceState(n.name, unit) === undefined) throw new ApiError(404, `no such service ${unit} on ${n.name}`);
      s.setServiceState(n.name, unit, r.params.op === 'fail' ? 'failed' : 'active');
      return ok({ state: s.serviceState(n.name, unit) });
    },
  },
  {
    method: 'PUT',
    pattern: path('/_lab/nodes/:node/usage'),
    handler: (r, s) => {
      const n = nodeOf(s, r.params.node!);
      const body = objectBody(r.json);
      for (const k of Object.keys(body)) {
        if (k !== 'diskPercent' && k !== 'memoryPercent')
          throw new ApiError(400, `${k}: unknown field (expected diskPercent, memoryPercent)`);
      }
      const diskPercent = percent(body, 'diskPercent');
      const memoryPercent = percent(body, 'memoryPercent');
      if (diskPercent === undefined && memoryPercent === undefined)
        throw new ApiError(400, 'diskPercent: give diskPercent and/or memoryPercent');
      s.setUsage(n.name, { diskPercent, memoryPercent });
      return ok({ usage: s.usage(n.name) });
    },
  },
];
