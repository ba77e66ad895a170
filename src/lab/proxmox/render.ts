/**
 * Builds the simulator's JSON payloads from the world model, with the field names and JSON types
 * of the real API (samples in test/fixtures/proxmox, pinned by test/lab/proxmox-shapes): 0/1 booleans, string
 * loadavg and cpuinfo.mhz, `lock`/`tags` absent when unset, `unknown` guests on offline nodes.
 */
import type { LabState } from '../state.js';
import type { LabGuest, LabNode } from './world.js';

const secs = (state: LabState, since: number | null) =>
  since === null ? 0 : Math.max(0, Math.floor((state.now() - since) / 1000));

/** Running guests on a node drive its CPU figure, so the numbers move with the world. */
function nodeCpu(state: LabState, n: LabNode): number {
  const running = state.listGuests().filter((g) => g.node === n.name && g.status === 'running').length;
  return Math.min(0.95, 0.013 + (0.071 * running) / n.cpus);
}

function guestCpu(g: LabGuest): number {
  return g.status === 'running' ? 0.0113 + (g.vmid % 7) * 0.0071 : 0;
}

function counters(state: LabState, g: LabGuest) {
  const up = secs(state, g.startedAt);
  return { netin: up * 3271, netout: up * 811, diskread: up * 5303, diskwrite: up * 8779 };
}

const withOptional = (g: LabGuest) => ({
  ...(g.lock ? { lock: g.lock } : {}),
  ...(g.tags ? { tags: g.tags } : {}),
});

/** One guest entry of GET /cluster/resources. */
export function resourceGuest(state: LabState, g: LabGuest): Record<string, unknown> {
  const online = state.getNode(g.node)?.online ?? false;
  const hastate = g.ha.managed ? { hastate: g.ha.state ?? 'started' } : {};
  if (!online)
    return {
      id: `${g.type}/${g.vmid}`,
      vmid: g.vmid,
      node: g.node,
      type: g.type,
      status: 'unknown',
      ...withOptional(g),
      ...hastate,
    };
  const running = g.status === 'running';
  return {
    id: `${g.type}/${g.vmid}`,
    type: g.type,
    vmid: g.vmid,
    node: g.node,
    name: g.name,
    status: g.status,
    template: g.template ? 1 : 0,
    cpu: guestCpu(g),
    maxcpu: g.cpus,
    mem: running ? g.mem : 0,
    maxmem: g.maxmem,
    disk: g.disk,
    maxdisk: g.maxdisk,
    ...counters(state, g),
    uptime: secs(state, g.startedAt),
    ...withOptional(g),
    ...hastate,
  };
}

/** One node entry of GET /cluster/resources (and, with ssl_fingerprint, of GET /nodes). */
export function resourceNode(state: LabState, n: LabNode): Record<string, unknown> {
  if (!n.online) return { id: `node/${n.name}`, type: 'node', node: n.name, status: 'offline', level: '' };
  const u = state.usage(n.name);
  return {
    id: `node/${n.name}`,
    type: 'node',
    node: n.name,
    status: 'online',
    cpu: nodeCpu(state, n),
    maxcpu: n.cpus,
    mem: u.memory.used,
    maxmem: u.memory.total,
    disk: u.disk.used,
    maxdisk: u.disk.total,
    uptime: secs(state, n.startedAt),
    level: '',
    'cgroup-mode': 2,
  };
}

/**
 * The two storages every lab node has: `local` (dir on the root fs, holds backups) and `local-lvm`
 * (thin pool for guest disks; its usage follows the guests unless the control API set it).
 */
export function storagesOf(state: LabState, n: LabNode) {
  const u = state.usage(n.name);
  const guestsDisk = state
    .listGuests()
    .filter((g) => g.node === n.name)
    .reduce((s, g) => s + g.maxdisk * 0.3, 0);
  const thinTotal = 2 * u.disk.total;
  const thinUsed = n.thinUsedPercent === undefined ? guestsDisk : (thinTotal * n.thinUsedPercent) / 100;
  return [
    { storage: 'local', plugintype: 'dir', content: 'backup,vztmpl,iso', used: u.disk.used, total: u.disk.total },
    {
      storage: 'local-lvm',
      plugintype: 'lvmthin',
      content: 'images,rootdir',
      used: Math.round(thinUsed),
      total: thinTotal,
    },
  ];
}

/** Storage entries of GET /cluster/resources; offline nodes' storages are `unknown` without sizes. */
export function resourceStorages(state: LabState, n: LabNode): Record<string, unknown>[] {
  return storagesOf(state, n).map((s) => {
    const base = {
      id: `storage/${n.name}/${s.storage}`,
      type: 'storage',
      storage: s.storage,
      node: n.name,
      plugintype: s.plugintype,
      shared: 0,
      content: s.content,
    };
    return n.online ? { ...base, status: 'available', disk: s.used, maxdisk: s.total } : { ...base, status: 'unknown' };
  });
}

/** GET /nodes/{node}/storage entries. */
export function nodeStorage(state: LabState, n: LabNode): Record<string, unknown>[] {
  return storagesOf(state, n).map((s) => ({
    storage: s.storage,
    type: s.plugintype,
    content: s.content,
    enabled: 1,
    active: 1,
    shared: 0,
    total: s.total,
    used: s.used,
    avail: s.total - s.used,
    used_fraction: s.used / s.total,
  }));
}

/** GET /nodes/{node}/status, shaped like the real PVE 9.1.2 reply. */
export function nodeStatus(state: LabState, n: LabNode): Record<string, unknown> {
  const u = state.usage(n.name);
  const cpu = nodeCpu(state, n);
  const load = [cpu * n.cpus, cpu * n.cpus * 0.9, cpu * n.cpus * 0.8].map((x) => x.toFixed(2));
  const memFree = u.memory.total - u.memory.used;
  return {
    cpu,
    wait: 0.0021,
    idle: 0,
    uptime: secs(state, n.startedAt),
    loadavg: load,
    memory: { total: u.memory.total, used: u.memory.used, free: Math.round(memFree * 0.4), available: memFree },
    swap: { total: 8589930496, used: 0, free: 8589930496 },
    ksm: { shared: 0 },
    rootfs: {
      total: u.disk.total,
      used: u.disk.used,
      free: u.disk.total - u.disk.used,
      avail: Math.max(0, Math.round(u.disk.total * 0.95) - u.disk.used),
    },
    cpuinfo: {
      cpus: n.cpus,
      cores: n.cpus,
      sockets: 1,
      model: n.cpuModel,
      mhz: '2895.985',
      hvm: '1',
      user_hz: 100,
      flags:
        'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat sse sse2 ht syscall nx lm vmx aes avx avx2',
    },
    pveversion: 'pve-manager/9.1.2/9d436f37a0ac4172',
    kversion: 'Linux 6.17.4-1-pve #1 SMP PREEMPT_DYNAMIC PMX 6.17.4-1 (2025-12-03T15:42Z)',
    'current-kernel': {
      sysname: 'Linux',
      release: '6.17.4-1-pve',
      version: '#1 SMP PREEMPT_DYNAMIC PMX 6.17.4-1 (2025-12-03T15:42Z)',
      machine: 'x86_64',
    },
    'boot-info': { mode: 'efi', secureboot: 0 },
  };
}

const haOf = (g: LabGuest) => (g.ha.managed ? { managed: 1, state: g.ha.state ?? 'started' } : { managed: 0 });

/** Entry of GET /nodes/{node}/qemu or /lxc (vmstatus without the runtime details). */
export function guestListEntry(state: LabState, g: LabGuest): Record<string, unknown> {
  const running = g.status === 'running';
  return {
    vmid: g.vmid,
    name: g.name,
    status: g.status,
    cpus: g.cpus,
    cpu: guestCpu(g),
    maxmem: g.maxmem,
    mem: running ? g.mem : 0,
    maxdisk: g.maxdisk,
    disk: g.disk,
    ...counters(state, g),
    uptime: secs(state, g.startedAt),
    ...(running ? { pid: 100000 + g.vmid * 13 } : {}),
    ...(g.template ? { template: 1 } : {}),
    ...withOptional(g),
    ...(g.type === 'lxc' ? { type: 'lxc', swap: 0, maxswap: 536870912 } : {}),
  };
}

/** GET /nodes/{node}/{qemu|lxc}/{vmid}/status/current. */
export function guestStatusCurrent(state: LabState, g: LabGuest): Record<string, unknown> {
  const base = { ...guestListEntry(state, g), ha: haOf(g) };
  if (g.type === 'lxc') return base;
  const running = g.status === 'running';
  const c = counters(state, g);
  const qemu: Record<string, unknown> = {
    ...base,
    qmpstatus: running ? (g.paused ? 'paused' : 'running') : 'stopped',
    ...(g.agent ? { agent: 1 } : {}),
    shares: 1000,
  };
  if (!running) return qemu;
  return {
    ...qemu,
    'running-machine': 'pc-i440fx-9.2+pve1',
    'running-qemu': '9.2.0',
    balloon: g.maxmem,
    balloon_min: g.maxmem,
    freemem: g.maxmem - g.mem,
    ballooninfo: {
      actual: g.maxmem,
      max_mem: g.maxmem,
      free_mem: g.maxmem - g.mem,
      total_mem: g.maxmem,
      major_page_faults: 1811,
      minor_page_faults: 3803793,
      mem_swapped_in: 0,
      mem_swapped_out: 0,
      last_update: Math.floor(state.now() / 1000),
    },
    blockstat: {
      scsi0: {
        rd_bytes: c.diskread,
        wr_bytes: c.diskwrite,
        rd_operations: Math.floor(c.diskread / 4096),
        wr_operations: Math.floor(c.diskwrite / 4096),
        flush_operations: 0,
        failed_rd_operations: 0,
        failed_wr_operations: 0,
        account_failed: true,
        account_invalid: true,
        timed_stats: [],
      },
    },
    nics: { [`tap${g.vmid}i0`]: { netin: c.netin, netout: c.netout } },
    'proxmox-support': {
      'pbs-dirty-bitmap': true,
      'query-bitmap-info': true,
      'pbs-library-version': '1.5.1 (UNKNOWN)',
    },
  };
}

/** PVE service ids the lab nodes run, with the systemd unit behind each (`sshd` is `ssh.service` on Debian). */
export const PVE_SERVICES: Record<string, { unit: string; desc: string }> = {
  chrony: { unit: 'chrony.service', desc: 'chrony, an NTP client/server' },
  corosync: { unit: 'corosync.service', desc: 'Corosync Cluster Engine' },
  cron: { unit: 'cron.service', desc: 'Regular background program processing daemon' },
  postfix: { unit: 'postfix.service', desc: 'Postfix Mail Transport Agent' },
  'pve-cluster': { unit: 'pve-cluster.service', desc: 'The Proxmox VE cluster filesystem' },
  'pve-ha-crm': { unit: 'pve-ha-crm.service', desc: 'PVE Cluster HA Resource Manager Daemon' },
  'pve-ha-lrm': { unit: 'pve-ha-lrm.service', desc: 'PVE Local HA Resource Manager Daemon' },
  pvedaemon: { unit: 'pvedaemon.service', desc: 'PVE API Daemon' },
  pveproxy: { unit: 'pveproxy.service', desc: 'PVE API Proxy Server' },
  pvestatd: { unit: 'pvestatd.service', desc: 'PVE Status Daemon' },
  sshd: { unit: 'ssh.service', desc: 'OpenBSD Secure Shell server' },
  'systemd-journald': { unit: 'systemd-journald.service', desc: 'Journal Service' },
};

/** One entry of GET /nodes/{node}/services; undefined when the node does not run it. */
export function serviceEntry(state: LabState, node: string, id: string): Record<string, unknown> | undefined {
  const svc = PVE_SERVICES[id];
  const s = svc && state.serviceState(node, svc.unit);
  if (!svc || !s) return undefined;
  const sub = { active: 'running', failed: 'failed', inactive: 'dead' }[s];
  return { service: id, name: id, desc: svc.desc, state: sub, 'active-state': s, 'unit-state': 'enabled' };
}
