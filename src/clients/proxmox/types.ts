/**
 * Typed results of the Proxmox client; parse.ts produces them from raw API JSON.
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
