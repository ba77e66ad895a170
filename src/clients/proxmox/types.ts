/**
 * Typed results of the Proxmox client and the parsers that produce them from raw API JSON:
 * 0/1 booleans become booleans, string numbers (loadavg, cpuinfo.mhz) numbers, `tags`
 * "a;b" a list, absent fields stay undefined, and unknown status strings are kept as they are.
 */

export type GuestType = 'qemu' | 'lxc';
/** `running` / `stopped`, or `unknown` for guests of an offline node in /cluster/resources. */
export type GuestRunState = 'running' | 'stopped' | 'unknown' | (string & {});

export interface ClusterStatus {
  /** Absent on a standalone node. */
  cluster?: { name: string; nodes: number; version: number; quorate: boolean };
  nodes: { name: string; nodeid: number; ip?: string; local: boolean; online: boolean; level?: string }[];
}

/** Usage figures of a guest or node entry; absent when Proxmox has no fresh data (offline node) or the token lacks Sys.Audit. */
export interface ResourceUsage {
  cpu?: number;
  maxcpu?: number;
  mem?: number;
  maxmem?: number;
  disk?: number;
  maxdisk?: number;
  uptime?: number;
}

export interface GuestResource extends ResourceUsage {
  type: GuestType;
  id: string;
  vmid: number;
  node: string;
  status: GuestRunState;
  name?: string;
  template?: boolean;
  lock?: string;
  tags?: string[];
  /** HA service state, only when HA-managed. */
  hastate?: string;
}

export interface NodeResource extends ResourceUsage {
  type: 'node';
  id: string;
  node: string;
  /** `online`, `offline` or `unknown`. */
  status: string;
  level?: string;
}

export interface StorageResource {
  type: 'storage';
  id: string;
  storage: string;
  node: string;
  /** `available` or `unknown`. */
  status: string;
  plugintype?: string;
  shared?: boolean;
  content?: string[];
  disk?: number;
  maxdisk?: number;
}

/** Entries of other types (pool, sdn, ...) are dropped by the client. */
export type ClusterResource = GuestResource | NodeResource | StorageResource;

export interface NodeListEntry extends Omit<NodeResource, 'type' | 'id'> {
  sslFingerprint?: string;
}

export interface NodeStatus {
  cpu?: number;
  /** IO wait fraction. */
  wait?: number;
  uptime?: number;
  loadavg?: [number, number, number];
  memory?: { total: number; used: number; free: number; available?: number };
  swap?: { total: number; used: number; free: number };
  rootfs?: { total: number; used: number; free: number; avail: number };
  cpuinfo?: { cpus: number; cores?: number; sockets?: number; model?: string; mhz?: number };
  pveversion?: string;
  kversion?: string;
}

export interface Guest {
  type: GuestType;
  node: string;
  vmid: number;
  name?: string;
  status: GuestRunState;
  /** QEMU's QMP status (`running`, `paused`, ...); absent for LXC. */
  qmpstatus?: string;
  /** A running guest that is paused / frozen. */
  paused: boolean;
  lock?: string;
  tags?: string[];
  template: boolean;
  pid?: number;
  uptime?: number;
  cpu?: number;
  cpus?: number;
  mem?: number;
  maxmem?: number;
  disk?: number;
  maxdisk?: number;
}

export interface GuestStatus extends Guest {
  ha: { managed: boolean; state?: string };
}

export interface Storage {
  storage: string;
  type: string;
  content: string[];
  enabled: boolean;
  active: boolean;
  shared: boolean;
  total?: number;
  used?: number;
  avail?: number;
  usedFraction?: number;
}

export interface TaskListEntry {
  upid: string;
  node: string;
  pid: number;
  pstart: number;
  starttime: number;
  endtime?: number;
  type: string;
  id: string;
  user: string;
  /** Final status text ("OK", "WARNINGS: 2", the error) or "RUNNING". */
  status?: string;
  running: boolean;
  /** True when finished with OK or warnings (UPID::status_is_error is false). */
  ok: boolean;
}

export interface TaskStatus {
  upid: string;
  node: string;
  pid: number;
  starttime: number;
  type: string;
  id: string;
  user: string;
  tokenid?: string;
  status: 'running' | 'stopped' | (string & {});
  exitstatus?: string;
  ok: boolean;
}

export interface ServiceEntry {
  service: string;
  name?: string;
  desc?: string;
  /** systemd SubState: running, dead, failed, ... */
  state?: string;
  /** systemd ActiveState: active, inactive, failed, ... */
  activeState?: string;
  unitState?: string;
}

type Raw = Record<string, unknown>;

export const num = (v: unknown): number | undefined => {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
};
export const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
/** Proxmox booleans are 0/1 (sometimes "0"/"1" or true/false). */
export const bool = (v: unknown): boolean | undefined =>
  v === undefined || v === null ? undefined : v === true || v === 1 || v === '1';
const list = (v: unknown, sep: RegExp): string[] | undefined =>
  typeof v === 'string' && v !== '' ? v.split(sep).filter(Boolean) : undefined;

/** `UPID::status_is_error` negated: stopped and OK or with warnings. */
export const taskOk = (exit: string | undefined): boolean => exit === 'OK' || (exit ?? '').startsWith('WARNINGS: ');

export function asArray(data: unknown): Raw[] {
  return Array.isArray(data) ? (data.filter((x) => x && typeof x === 'object') as Raw[]) : [];
}
export function asObject(data: unknown): Raw {
  return data && typeof data === 'object' && !Array.isArray(data) ? (data as Raw) : {};
}

export function parseClusterStatus(data: unknown): ClusterStatus {
  const out: ClusterStatus = { nodes: [] };
  for (const e of asArray(data)) {
    if (e.type === 'cluster')
      out.cluster = {
        name: str(e.name) ?? '',
        nodes: num(e.nodes) ?? 0,
        version: num(e.version) ?? 0,
        quorate: bool(e.quorate) ?? false,
      };
    else if (e.type === 'node')
      out.nodes.push({
        name: str(e.name) ?? '',
        nodeid: num(e.nodeid) ?? 0,
        ip: str(e.ip),
        local: bool(e.local) ?? false,
        online: bool(e.online) ?? false,
        level: str(e.level),
      });
  }
  return out;
}

const sizes = (e: Raw) => ({
  cpu: num(e.cpu),
  maxcpu: num(e.maxcpu),
  mem: num(e.mem),
  maxmem: num(e.maxmem),
  disk: num(e.disk),
  maxdisk: num(e.maxdisk),
  uptime: num(e.uptime),
});

export function parseResource(e: Raw): ClusterResource | undefined {
  const type = str(e.type);
  if (type === 'qemu' || type === 'lxc') {
    return {
      type,
      id: str(e.id) ?? `${type}/${e.vmid}`,
      vmid: num(e.vmid) ?? 0,
      node: str(e.node) ?? '',
      status: str(e.status) ?? 'unknown',
      name: str(e.name),
      template: bool(e.template),
      ...sizes(e),
      lock: str(e.lock),
      tags: list(e.tags, /[;, ]/),
      hastate: str(e.hastate),
    };
  }
  if (type === 'node')
    return {
      type,
      id: str(e.id) ?? `node/${e.node}`,
      node: str(e.node) ?? '',
      status: str(e.status) ?? 'unknown',
      ...sizes(e),
      level: str(e.level),
    };
  if (type === 'storage') {
    return {
      type,
      id: str(e.id) ?? '',
      storage: str(e.storage) ?? '',
      node: str(e.node) ?? '',
      status: str(e.status) ?? 'unknown',
      plugintype: str(e.plugintype),
      shared: bool(e.shared),
      content: list(e.content, /,/),
      disk: num(e.disk),
      maxdisk: num(e.maxdisk),
    };
  }
  return undefined;
}

export function parseNodeListEntry(e: Raw): NodeListEntry {
  return {
    node: str(e.node) ?? '',
    status: str(e.status) ?? 'unknown',
    ...sizes(e),
    level: str(e.level),
    sslFingerprint: str(e.ssl_fingerprint),
  };
}

export function parseNodeStatus(data: unknown): NodeStatus {
  const e = asObject(data);
  const mem = asObject(e.memory);
  const swap = asObject(e.swap);
  const root = asObject(e.rootfs);
  const ci = asObject(e.cpuinfo);
  const la = Array.isArray(e.loadavg) ? e.loadavg.map(num) : [];
  return {
    cpu: num(e.cpu),
    wait: num(e.wait),
    uptime: num(e.uptime),
    loadavg: la.length === 3 && la.every((x) => x !== undefined) ? (la as [number, number, number]) : undefined,
    memory: e.memory
      ? {
          total: num(mem.total) ?? 0,
          used: num(mem.used) ?? 0,
          free: num(mem.free) ?? 0,
          available: num(mem.available),
        }
      : undefined,
    swap: e.swap ? { total: num(swap.total) ?? 0, used: num(swap.used) ?? 0, free: num(swap.free) ?? 0 } : undefined,
    rootfs: e.rootfs
      ? {
          total: num(root.total) ?? 0,
          used: num(root.used) ?? 0,
          free: num(root.free) ?? 0,
          avail: num(root.avail) ?? 0,
        }
      : undefined,
    cpuinfo: e.cpuinfo
      ? {
          cpus: num(ci.cpus) ?? 0,
          cores: num(ci.cores),
          sockets: num(ci.sockets),
          model: str(ci.model),
          mhz: num(ci.mhz),
        }
      : undefined,
    pveversion: str(e.pveversion),
    kversion: str(e.kversion),
  };
}

export function parseGuest(e: Raw, node: string, type: GuestType): Guest {
  const qmpstatus = str(e.qmpstatus);
  return {
    type,
    node,
    vmid: num(e.vmid) ?? 0,
    name: str(e.name),
    status: str(e.status) ?? 'unknown',
    qmpstatus,
    paused: qmpstatus === 'paused' || qmpstatus === 'suspended' || str(e.status) === 'paused',
    lock: str(e.lock),
    tags: list(e.tags, /[;, ]/),
    template: bool(e.template) ?? false,
    pid: num(e.pid),
    uptime: num(e.uptime),
    cpu: num(e.cpu),
    cpus: num(e.cpus),
    mem: num(e.mem),
    maxmem: num(e.maxmem),
    disk: num(e.disk),
    maxdisk: num(e.maxdisk),
  };
}

export function parseGuestStatus(data: unknown, node: string, type: GuestType): GuestStatus {
  const e = asObject(data);
  const ha = asObject(e.ha);
  return { ...parseGuest(e, node, type), ha: { managed: bool(ha.managed) ?? false, state: str(ha.state) } };
}

export function parseStorage(e: Raw): Storage {
  return {
    storage: str(e.storage) ?? '',
    type: str(e.type) ?? '',
    content: list(e.content, /,/) ?? [],
    enabled: bool(e.enabled) ?? true,
    active: bool(e.active) ?? false,
    shared: bool(e.shared) ?? false,
    total: num(e.total),
    used: num(e.used),
    avail: num(e.avail),
    usedFraction: num(e.used_fraction),
  };
}

export function parseTaskListEntry(e: Raw): TaskListEntry {
  const status = str(e.status);
  const running = status === undefined || status === 'RUNNING';
  return {
    upid: str(e.upid) ?? '',
    node: str(e.node) ?? '',
    pid: num(e.pid) ?? 0,
    pstart: num(e.pstart) ?? 0,
    starttime: num(e.starttime) ?? 0,
    endtime: num(e.endtime),
    type: str(e.type) ?? '',
    id: str(e.id) ?? '',
    user: str(e.user) ?? '',
    status,
    running,
    ok: !running && taskOk(status),
  };
}

export function parseTaskStatus(data: unknown): TaskStatus {
  const e = asObject(data);
  const status = str(e.status) ?? 'unknown';
  const exitstatus = str(e.exitstatus);
  return {
    upid: str(e.upid) ?? '',
    node: str(e.node) ?? '',
    pid: num(e.pid) ?? 0,
    starttime: num(e.starttime) ?? 0,
    type: str(e.type) ?? '',
    id: str(e.id) ?? '',
    user: str(e.user) ?? '',
    tokenid: str(e.tokenid),
    status,
    exitstatus,
    ok: status === 'stopped' && taskOk(exitstatus),
  };
}

export function parseService(e: Raw): ServiceEntry {
  return {
    service: str(e.service) ?? '',
    name: str(e.name),
    desc: str(e.desc),
    state: str(e.state),
    activeState: str(e['active-state']),
    unitState: str(e['unit-state']),
  };
}
