/**
 * The parsers that turn raw Proxmox API JSON into the types of types.ts: 0/1 booleans become
 * booleans, string numbers (loadavg, cpuinfo.mhz) numbers, `tags` "a;b" a list, absent fields stay
 * undefined, and unknown status strings are kept as they are.
 */
import type {
  ClusterResource,
  ClusterStatus,
  Guest,
  GuestStatus,
  GuestType,
  NodeListEntry,
  NodeStatus,
  ServiceEntry,
  Storage,
  TaskListEntry,
  TaskStatus,
} from './types.js';

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
