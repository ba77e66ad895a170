/**
 * The lab's control API under `/_lab/` (loopback only, no token): chaos and inspection for
 * tests and the demo. Replies are plain JSON (`{ok: true, ...}` or `{error}`), not PVE envelopes.
 */
import type { LabState } from '../state.js';
import { HA_STATES } from '../state-guests.js';
import { archiveOf } from './backups.js';
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

function onlyFields(body: Record<string, unknown>, allowed: string[]): void {
  for (const k of Object.keys(body))
    if (!allowed.includes(k)) throw new ApiError(400, `${k}: unknown field (expected ${allowed.join(', ')})`);
}

function bool(body: Record<string, unknown>, field: string): boolean | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new ApiError(400, `${field}: expected true or false`);
  return v;
}

/** Control routes for the guest features: agent hangs, config, HA state, backups, storage usage. */
const featureRoutes: Route<LabState>[] = [
  {
    method: 'POST',
    pattern: path('/_lab/guests/:vmid/(?<op>hang|unhang)'),
    handler: (r, s) => {
      const g = guestOf(s, r.params.vmid!);
      const body = objectBody(r.json);
      onlyFields(body, ['sticky']);
      if (r.params.op === 'unhang') s.unhangAgent(g.vmid);
      else {
        if (g.type !== 'qemu' || !g.agent)
          throw new ApiError(409, `guest ${g.vmid} has no QEMU guest agent configured`);
        s.hangAgent(g.vmid, bool(body, 'sticky') ?? false);
      }
      return ok({ hung: g.agentHang ?? null });
    },
  },
  {
    method: 'PUT',
    pattern: path('/_lab/guests/:vmid/config'),
    handler: (r, s) => {
      const g = guestOf(s, r.params.vmid!);
      const body = objectBody(r.json);
      onlyFields(body, ['onboot', 'agent', 'tags']);
      const tags = body.tags;
      if (tags !== undefined && tags !== null && (typeof tags !== 'string' || !/^[a-z0-9_;+.-]*$/i.test(tags)))
        throw new ApiError(400, 'tags: expected a string of tags separated by ";" (or null)');
      if (bool(body, 'agent') && g.type !== 'qemu') throw new ApiError(400, 'agent: containers have no guest agent');
      s.setGuestConfig(g.vmid, {
        onboot: bool(body, 'onboot'),
        agent: bool(body, 'agent'),
        tags: tags as string | null | undefined,
      });
      return ok({ onboot: g.onboot, agent: g.agent, tags: g.tags ?? null });
    },
  },
  {
    method: 'PUT',
    pattern: path('/_lab/guests/:vmid/ha'),
    handler: (r, s) => {
      const g = guestOf(s, r.params.vmid!);
      const body = objectBody(r.json);
      onlyFields(body, ['state']);
      const st = body.state;
      if (st !== null && (typeof st !== 'string' || !(HA_STATES as readonly string[]).includes(st)))
        throw new ApiError(400, `state: expected one of ${HA_STATES.join(', ')}, or null to stop managing the guest`);
      s.setHaState(g.vmid, st as (typeof HA_STATES)[number] | null);
      return ok({ ha: { ...g.ha } });
    },
  },
  {
    method: 'PUT',
    pattern: path('/_lab/guests/:vmid/backup-error'),
    handler: (r, s) => {
      const g = guestOf(s, r.params.vmid!);
      const body = objectBody(r.json);
      onlyFields(body, ['error']);
      const e = body.error;
      if (e !== null && (typeof e !== 'string' || !e.trim() || e.length > 200))
        throw new ApiError(400, 'error: expected the failure text (1–200 characters), or null to let backups succeed');
      s.setBackupError(g.vmid, e as string | null);
      return ok({ backupError: g.backupError ?? null });
    },
  },
  {
    method: 'POST',
    pattern: path('/_lab/guests/:vmid/backups'),
    handler: (r, s) => {
      const g = guestOf(s, r.params.vmid!);
      const body = objectBody(r.json);
      onlyFields(body, ['ageDays']);
      const age = body.ageDays;
      if (typeof age !== 'number' || !Number.isFinite(age) || age < 0 || age > 3650)
        throw new ApiError(400, 'ageDays: expected a number of days from 0 to 3650');
      const b = archiveOf(g, 'local', s.now() - age * 86_400_000);
      s.addBackup(g.node, b);
      return ok({ backup: b });
    },
  },
  {
    method: 'PUT',
    pattern: path('/_lab/nodes/:node/storage/:storage/usage'),
    handler: (r, s) => {
      const n = nodeOf(s, r.params.node!);
      const body = objectBody(r.json);
      onlyFields(body, ['percent']);
      const p = percent(body, 'percent');
      if (p === undefined) throw new ApiError(400, 'percent: required (0–100)');
      if (r.params.storage === 'local') s.setUsage(n.name, { diskPercent: p });
      else if (r.params.storage === 'local-lvm') s.setThinUsage(n.name, p);
      else throw new ApiError(404, `no such storage ${r.params.storage} on ${n.name} (local, local-lvm)`);
      return ok();
    },
  },
];

/** The control routes; the server answers them without token checks, and only to loopback peers. */
export const controlRoutes: Route<LabState>[] = [
  { method: 'GET', pattern: path('/_lab/state'), handler: (_r, s) => ({ data: s.snapshot() }) },
  ...featureRoutes,
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
