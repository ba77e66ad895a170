/**
 * The homelab as the monitor last saw it, for the dashboard: every critical and routine cycle
 * hands its readings to `observe` (no second poll of the infrastructure), which folds them into
 * one snapshot and tells the subscribers (the `/events` stream). Merging is a pure function.
 */
import type { GuestObs, NodeObs } from './detect.js';
import type { HomelabSnapshot } from '../realtime/socket-protocol.js';

/** A node as the cluster reports it, with the CPU figure the detectors do not need. */
export interface NodeReading extends NodeObs {
  cpuPercent?: number;
}

/** A guest with its Proxmox tags. */
export interface GuestReading extends GuestObs {
  tags: string[];
}

/** A storage pool of one node (a shared pool appears once per node, as Proxmox lists it). */
export interface StorageReading {
  node: string;
  storage: string;
  status: string;
  plugintype?: string;
  shared: boolean;
  usedPercent?: number;
  /**
   * A local directory pool on the node's root filesystem (same size as the node's root disk, as
   * `local` at /var/lib/vz is on a default install): `disk.high` watches it and has the runbook.
   */
  onRootFs?: boolean;
}

/** What one read of the cluster resources returns. */
export interface ClusterReading {
  nodes: NodeReading[];
  guests: GuestReading[];
  storage: StorageReading[];
}

/** One cycle's readings; `cluster` is null when the Proxmox API could not be read (or none is set up). */
export type Observation =
  | { kind: 'critical'; at: number; cluster: ClusterReading | null; sshReachable: ReadonlyMap<string, boolean> }
  | {
      kind: 'routine';
      at: number;
      cluster: ClusterReading | null;
      /** Usage per node, from the cluster or (without Proxmox) over SSH. */
      nodes: readonly NodeReading[] | null;
      services: ReadonlyMap<string, ReadonlyMap<string, string>>;
      http: ReadonlyMap<string, { ok: boolean; error?: string; node?: string; service?: string }>;
    };

type SnapshotNode = HomelabSnapshot['nodes'][number];

/** Rounds to 0.1 and keeps inside 0–100: Proxmox can briefly report more memory used than present. */
const clamp = (v: number | undefined) =>
  v === undefined || !Number.isFinite(v) ? undefined : Math.round(Math.min(100, Math.max(0, v)) * 10) / 10;

function nodeOf(prev: SnapshotNode | undefined, reading: NodeReading): SnapshotNode {
  const usage = {
    cpuPercent: clamp(reading.cpuPercent) ?? (reading.online ? prev?.cpuPercent : undefined),
    memoryPercent: clamp(reading.memoryPercent) ?? (reading.online ? prev?.memoryPercent : undefined),
    diskPercent: clamp(reading.diskPercent) ?? (reading.online ? prev?.diskPercent : undefined),
  };
  return {
    name: reading.name,
    online: reading.online,
    ...(prev?.sshReachable === undefined ? {} : { sshReachable: prev.sshReachable }),
    ...Object.fromEntries(Object.entries(usage).filter(([, v]) => v !== undefined)),
    ...(prev?.services ? { services: prev.services } : {}),
  };
}

/** An empty snapshot: nothing observed yet. */
export function emptySnapshot(thresholds: HomelabSnapshot['thresholds']): HomelabSnapshot {
  return {
    criticalAt: null,
    routineAt: null,
    thresholds,
    clusterReadable: false,
    nodes: [],
    guests: [],
    storage: [],
    http: [],
  };
}

/**
 * Folds one cycle's readings into the snapshot. Parts a cycle did not read (services and HTTP on a
 * critical cycle) are kept from before; an unreadable cluster keeps the last nodes and guests
 * and says so (`clusterReadable: false`) rather than showing an empty homelab.
 */
export function mergeObservation(prev: HomelabSnapshot, o: Observation): HomelabSnapshot {
  const byName = new Map(prev.nodes.map((n) => [n.name, n]));
  let nodes = prev.nodes;
  if (o.cluster) nodes = o.cluster.nodes.map((n) => nodeOf(byName.get(n.name), n));
  if (o.kind === 'routine' && o.nodes && !o.cluster)
    nodes = o.nodes.filter((n) => n.name !== '').map((n) => nodeOf(byName.get(n.name), n));
  if (o.kind === 'critical') {
    const known = new Set(nodes.map((n) => n.name));
    nodes = [
      ...nodes.map((n) => (o.sshReachable.has(n.name) ? { ...n, sshReachable: o.sshReachable.get(n.name)! } : n)),
      // Without Proxmox, SSH is all there is: the probed nodes are the node list.
      ...[...o.sshReachable]
        .filter(([name]) => !known.has(name) && !o.cluster)
        .map(([name, reachable]) => ({ name, online: reachable, sshReachable: reachable })),
    ];
  }
  if (o.kind === 'routine') {
    nodes = nodes.map((n) => {
      const units = o.services.get(n.name);
      return units ? { ...n, services: Object.fromEntries(units) } : n;
    });
  }
  return {
    ...prev,
    criticalAt: o.kind === 'critical' ? o.at : prev.criticalAt,
    routineAt: o.kind === 'routine' ? o.at : prev.routineAt,
    clusterReadable: o.cluster !== null,
    nodes,
    guests: o.cluster
      ? o.cluster.guests.map((g) => ({
          vmid: g.vmid,
          node: g.node,
          type: g.type,
          ...(g.name === undefined ? {} : { name: g.name }),
          status: g.status,
          ha: g.ha,
          template: g.template,
          ...(g.lock ? { lock: g.lock } : {}),
          tags: g.tags,
        }))
      : prev.guests,
    storage: o.cluster
      ? o.cluster.storage.map((s) => {
          const usedPercent = clamp(s.usedPercent);
          return { ...s, ...(usedPercent === undefined ? {} : { usedPercent }) };
        })
      : prev.storage,
    http:
      o.kind === 'routine'
        ? [...o.http].map(([name, r]) => ({ name, ...r })).sort((a, b) => a.name.localeCompare(b.name))
        : prev.http,
  };
}

export type HomelabListener = (snapshot: HomelabSnapshot) => void;

/** Holds the latest snapshot and tells subscribers about each new one. */
export function createHomelabFeed(deps: {
  thresholds: HomelabSnapshot['thresholds'];
  onListenerError?: (err: unknown) => void;
}) {
  // Only the two thresholds the view compares with (config.monitor.thresholds holds more).
  let latest = emptySnapshot({
    diskPercent: deps.thresholds.diskPercent,
    memoryPercent: deps.thresholds.memoryPercent,
  });
  const listeners = new Set<HomelabListener>();
  return {
    /** The monitor's hook: fold one cycle's readings in and notify. Never throws into the monitor. */
    observe(o: Observation): void {
      latest = mergeObservation(latest, o);
      for (const listener of listeners) {
        try {
          listener(latest);
        } catch (err) {
          deps.onListenerError?.(err);
        }
      }
    },
    latest: (): HomelabSnapshot => latest,
    subscribe(listener: HomelabListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type HomelabFeed = ReturnType<typeof createHomelabFeed>;
