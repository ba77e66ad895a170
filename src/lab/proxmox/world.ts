/**
 * The lab cluster's inventory, generated deterministically from a seed and a size:
 * nodes pve1..pveN, guests from vmid 100 (QEMU and LXC mixed, one HA-managed), per-node
 * services, log files, journal and package cache.
 */
import { seededRandom } from '../../util/random.js';

export const SERVICE_STATES = ['active', 'failed', 'inactive'] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];

export interface LogFile {
  path: string;
  sizeBytes: number;
  ageDays: number;
}

export interface LabNode {
  name: string;
  nodeid: number;
  online: boolean;
  ip: string;
  /** Locally administered, distinct per node: 02:00:00:00:00:NN. */
  mac: string;
  cpus: number;
  cpuModel: string;
  memory: { total: number; used: number };
  /**
   * Root filesystem. `base` is everything except logs, journal and package cache; the used
   * total is computed by `state.usage()`.
   */
  disk: { total: number; base: number };
  /** When the node last booted (ms), null while it is off. */
  startedAt: number | null;
  /** When a WoL-started boot completes (ms), null when not booting. */
  bootingUntil: number | null;
  /** systemd unit (with suffix, e.g. `nginx.service`) → state. */
  services: Map<string, ServiceState>;
  /** Files under /var/log/app. */
  logs: LogFile[];
  journalBytes: number;
  packageCacheBytes: number;
  /** Backup archives on this node's `local` storage (content `backup`), oldest first. */
  backups: LabBackup[];
  /** Used share of the `local-lvm` thin pool in percent when set by the control API; else computed from guests. */
  thinUsedPercent?: number;
}

/** One snapshot of a guest (`GET …/snapshot`). */
export interface LabSnapshot {
  name: string;
  description: string;
  /** Epoch seconds. */
  snaptime: number;
  /** The snapshot this one was taken on top of; absent on the oldest. */
  parent?: string;
  /** QEMU only: RAM saved with it. */
  vmstate?: boolean;
}

/** One vzdump archive on a storage (`GET …/storage/{s}/content?content=backup`). */
export interface LabBackup {
  volid: string;
  vmid: number;
  subtype: 'qemu' | 'lxc';
  format: string;
  /** Epoch seconds, from the archive's file name. */
  ctime: number;
  size: number;
}

export interface LabGuest {
  vmid: number;
  node: string;
  type: 'qemu' | 'lxc';
  name: string;
  status: 'running' | 'stopped';
  /** A running guest that is paused (QEMU qmpstatus `paused`, LXC frozen). */
  paused?: boolean;
  /** Absent when unlocked, as in the Proxmox API. */
  lock?: string;
  /** `state` is the HA service state (`started`, `stopped`, ...) when managed. */
  ha: { managed: boolean; state?: string };
  template: boolean;
  tags?: string;
  cpus: number;
  maxmem: number;
  mem: number;
  maxdisk: number;
  disk: number;
  /** When the guest last started (ms), null while stopped. */
  startedAt: number | null;
  /** Config `onboot`: started when its node boots. */
  onboot: boolean;
  /** Config `agent`: a QEMU guest agent is configured (LXC has none). */
  agent: boolean;
  /**
   * A hung guest agent (control API): `reset` clears with a QEMU reset, `sticky` only with a
   * stop and start. Absent while the agent answers.
   */
  agentHang?: 'reset' | 'sticky';
  /** Snapshots, oldest first; `parent` is the one the current state derives from. */
  snapshots: LabSnapshot[];
  parent?: string;
  /** When set, every vzdump of this guest fails with this text (control API). */
  backupError?: string;
}

/** Units every lab node runs (PVE daemons plus what a homelab node typically hosts). */
export const DEFAULT_UNITS = [
  'pveproxy.service',
  'pvedaemon.service',
  'pve-cluster.service',
  'pvestatd.service',
  'pve-ha-lrm.service',
  'pve-ha-crm.service',
  'corosync.service',
  'chrony.service',
  'cron.service',
  'ssh.service',
  'postfix.service',
  'systemd-journald.service',
  'nginx.service',
] as const;

const GUEST_NAMES = [
  'web',
  'db',
  'dns',
  'media',
  'git',
  'monitoring',
  'proxy',
  'mail',
  'backup',
  'ci',
  'wiki',
  'vpn',
  'nas',
  'home-assistant',
  'build',
  'cache',
];
const CPU_MODELS = [
  'Intel(R) N100',
  'AMD Ryzen 7 5700G with Radeon Graphics',
  'Intel(R) Core(TM) i5-8500T CPU @ 2.10GHz',
];
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/**
 * Builds the inventory. Guest i (0-based, vmid 100+i) lives on node pve(1 + floor(i / perNode));
 * odd vmids are LXC, even ones QEMU; the second guest of the last node is HA-managed
 * (the first when a node has one guest). All guests start running and unlocked.
 */
export function generateWorld(p: { nodes: number; guestsPerNode: number; seed: number; now: number }): {
  nodes: LabNode[];
  guests: LabGuest[];
} {
  if (!Number.isInteger(p.nodes) || p.nodes < 1 || p.nodes > 99) throw new Error('lab nodes must be 1..99');
  if (!Number.isInteger(p.guestsPerNode) || p.guestsPerNode < 0) throw new Error('lab guests per node must be ≥ 0');
  const rnd = seededRandom(p.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const nodes: LabNode[] = [];
  for (let i = 1; i <= p.nodes; i++) {
    const memTotal = [16, 32, 64][int(0, 2)]! * GiB;
    const diskTotal = [128, 256, 512][int(0, 2)]! * GiB;
    const logs: LogFile[] = [
      { path: '/var/log/app/app.log', sizeBytes: int(20, 120) * MiB, ageDays: 0 },
      { path: '/var/log/app/app.log.1', sizeBytes: int(50, 200) * MiB, ageDays: 1 },
      { path: '/var/log/app/app.log.2.gz', sizeBytes: int(10, 40) * MiB, ageDays: int(8, 12) },
      { path: '/var/log/app/access.log', sizeBytes: int(5, 60) * MiB, ageDays: 0 },
      { path: '/var/log/app/access.log.1.gz', sizeBytes: int(10, 30) * MiB, ageDays: int(15, 40) },
    ];
    const journalBytes = int(300, 900) * MiB;
    const packageCacheBytes = int(150, 600) * MiB;
    const fixed = logs.reduce((s, f) => s + f.sizeBytes, 0) + journalBytes + packageCacheBytes;
    nodes.push({
      name: `pve${i}`,
      nodeid: i,
      online: true,
      ip: '127.0.0.1',
      mac: `02:00:00:00:00:${i.toString(16).padStart(2, '0')}`,
      cpus: [4, 8, 12][int(0, 2)]!,
      cpuModel: CPU_MODELS[int(0, CPU_MODELS.length - 1)]!,
      memory: { total: memTotal, used: Math.round(memTotal * (0.25 + rnd() * 0.25)) },
      disk: { total: diskTotal, base: Math.max(0, Math.round(diskTotal * (0.2 + rnd() * 0.2)) - fixed) },
      startedAt: p.now - int(2, 60) * 86_400_000,
      bootingUntil: null,
      services: new Map(DEFAULT_UNITS.map((u) => [u, 'active' as ServiceState])),
      logs,
      journalBytes,
      packageCacheBytes,
      backups: [],
    });
  }
  const guests: LabGuest[] = [];
  const total = p.nodes * p.guestsPerNode;
  const haIndex = total === 0 ? -1 : (p.nodes - 1) * p.guestsPerNode + Math.min(1, p.guestsPerNode - 1);
  for (let i = 0; i < total; i++) {
    const vmid = 100 + i;
    const type = vmid % 2 === 0 ? 'qemu' : 'lxc';
    const base = GUEST_NAMES[i % GUEST_NAMES.length]!;
    const name = i < GUEST_NAMES.length ? base : `${base}${Math.floor(i / GUEST_NAMES.length) + 1}`;
    const maxmem = [1, 2, 4, 8][int(0, 3)]! * GiB;
    const maxdisk = [8, 16, 32, 64][int(0, 3)]! * GiB;
    const ha = i === haIndex;
    guests.push({
      vmid,
      node: `pve${1 + Math.floor(i / p.guestsPerNode)}`,
      type,
      name,
      status: 'running',
      ha: ha ? { managed: true, state: 'started' } : { managed: false },
      template: false,
      tags: i % 3 === 0 ? 'prod' : undefined,
      cpus: [1, 2, 4][int(0, 2)]!,
      maxmem,
      mem: Math.round(maxmem * 0.4),
      maxdisk,
      disk: type === 'lxc' ? Math.round(maxdisk * (0.1 + rnd() * 0.4)) : 0,
      startedAt: p.now - int(1, 20) * 3_600_000,
      onboot: true,
      agent: type === 'qemu',
      snapshots: [],
    });
  }
  return { nodes, guests };
}
