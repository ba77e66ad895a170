/**
 * The observer's pure readings: what a cluster/resources answer says about nodes, guests and storage,
 * and what a node's task list says about why a guest stopped. No I/O, so tests feed recorded answers.
 */
import type {
  ClusterResource,
  GuestResource,
  NodeResource,
  StorageResource,
  TaskListEntry,
} from '../clients/proxmox/index.js';
import type { StopEvidence } from './detect.js';
import type { ClusterReading } from './homelab.js';

/** Proxmox task types that stop a guest on purpose, and those that start it. */
const STOP_TASKS = new Set(['qmstop', 'qmshutdown', 'vzstop', 'vzshutdown', 'hastop', 'qmsuspend', 'vzsuspend']);
const START_TASKS = new Set(['qmstart', 'vzstart', 'hastart', 'qmresume', 'vzresume', 'qmreboot', 'vzreboot']);

/** Used as a percentage of total; undefined when either is unknown or the total is zero. */
export const pct = (used?: number, total?: number) => (used !== undefined && total ? (used / total) * 100 : undefined);

/** Nodes, guests and storage pools of one `/cluster/resources` answer. */
export function clusterReading(all: readonly ClusterResource[]): ClusterReading {
  const nodes = all
    .filter((r): r is NodeResource => r.type === 'node')
    .map((n) => ({
      name: n.node,
      online: n.status === 'online',
      diskPercent: pct(n.disk, n.maxdisk),
      memoryPercent: pct(n.mem, n.maxmem),
      cpuPercent: n.cpu === undefined ? undefined : n.cpu * 100,
    }));
  const guests = all
    .filter((r): r is GuestResource => r.type === 'qemu' || r.type === 'lxc')
    .map((g) => ({
      vmid: g.vmid,
      node: g.node,
      type: g.type,
      name: g.name,
      status: g.status,
      ha: Boolean(g.hastate),
      template: g.template === true,
      lock: g.lock,
      tags: g.tags ?? [],
    }));
  const rootSize = new Map(
    all.filter((r): r is NodeResource => r.type === 'node').map((n) => [n.node, n.maxdisk] as const),
  );
  const storage = all
    .filter((r): r is StorageResource => r.type === 'storage')
    .map((s) => ({
      node: s.node,
      storage: s.storage,
      status: s.status,
      plugintype: s.plugintype,
      shared: s.shared === true,
      usedPercent: pct(s.disk, s.maxdisk),
      onRootFs:
        s.plugintype === 'dir' && s.shared !== true && s.maxdisk !== undefined && s.maxdisk === rootSize.get(s.node),
    }));
  return { nodes, guests, storage };
}

/** The newest power task per vmid in a node's task list (newest first, as Proxmox sorts it). */
export function powerEvidence(tasks: readonly TaskListEntry[], vmids: readonly number[]): Map<number, StopEvidence> {
  const out = new Map<number, StopEvidence>(vmids.map((v) => [v, 'none']));
  const open = new Set(vmids);
  for (const t of tasks) {
    const vmid = Number(t.id);
    if (!open.has(vmid)) continue;
    // A failed stop stopped nothing; a failed start did not mean to leave it stopped either.
    if (STOP_TASKS.has(t.type) && (t.running || t.ok)) out.set(vmid, 'stop');
    else if (START_TASKS.has(t.type)) out.set(vmid, 'start');
    else continue;
    open.delete(vmid);
  }
  return out;
}
