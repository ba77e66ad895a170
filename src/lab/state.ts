/**
 * The simulated homelab's world model: nodes, guests, services, disks and the Proxmox task log.
 * Pure in-memory and deterministic from a seed; time comes from an injectable `now()`.
 * Every surface of the lab (Proxmox API simulator, SSH nodes, WoL listener, chaos) reads and
 * changes the world only through this object, and observers see each change through `onChange`.
 *
 * Node power model (a choice the real world leaves open): a node taken down is powered off
 * (`setNodeOnline(n, false)`); the Proxmox API then shows its guests as `unknown`, as real PVE
 * does once the RRD data ages out. When the node comes back (`setNodeOnline(n, true)` or a WoL
 * boot) it has rebooted: uptime starts again, and its guests with `onboot: 1` (every lab guest
 * unless the control API changed it) return as they were; guests that were stopped stay stopped.
 *
 * The parts live in their own modules: power (state-power.ts), disks (state-disk.ts), and the
 * guest features of snapshots, backups, agent, HA and migration (state-guests.ts).
 */
import { createLabClock } from './clock.js';
import { createTaskLog, type LabTask, type TaskLog } from './proxmox/tasks.js';
import {
  generateWorld,
  type LabBackup,
  type LabGuest,
  type LabNode,
  type LabSnapshot,
  type LogFile,
  type ServiceState,
} from './proxmox/world.js';
import type { LabCore, LabEvent } from './state-core.js';
import { createDiskOps } from './state-disk.js';
import { createGuestOps } from './state-guests.js';
import { createPowerOps } from './state-power.js';

export type { LabBackup, LabGuest, LabNode, LabSnapshot, LogFile, ServiceState, LabTask, LabEvent };
export { RUNAWAY_LOG, type NodeUsage } from './state-disk.js';

/** Options of the world; all optional, every default is deterministic. */
export interface LabStateOptions {
  /** Number of nodes, named pve1..pveN. Default 3. */
  nodes?: number;
  /** Guests per node, vmids from 100. Default 4. */
  guestsPerNode?: number;
  seed?: number;
  /** Milliseconds since the epoch. Default Date.now. */
  now?: () => number;
  /** How long a woken node takes to boot. Default 1500 ms. */
  bootMs?: number;
  /** How long a Proxmox task runs before it finishes. Default 300 ms. */
  taskMs?: number;
  /** How long the HA manager takes to act on a request (start, stop, recover a crash). Default 2 × taskMs. */
  haDelayMs?: number;
}

function unitName(unit: string): string {
  return unit.endsWith('.service') || unit.includes('.') ? unit : `${unit}.service`;
}

/**
 * Creates the lab world. Timed transitions (boots, task ends, HA actions) are kept in a queue:
 * a timer applies them, and every read applies those already due by `now()`, so a test with a
 * fake clock can move time without waiting.
 */
export function createLabState(opts: LabStateOptions = {}) {
  const now = opts.now ?? Date.now;
  const taskMs = opts.taskMs ?? 300;
  const world = generateWorld({
    nodes: opts.nodes ?? 3,
    guestsPerNode: opts.guestsPerNode ?? 4,
    seed: opts.seed ?? 1,
    now: now(),
  });
  const listeners = new Set<(e: LabEvent) => void>();
  const clock = createLabClock(now);
  const emit = (e: LabEvent): void => {
    for (const l of listeners) l(e);
  };
  const tasks: TaskLog = createTaskLog({
    now,
    seed: opts.seed ?? 1,
    schedule: clock.schedule,
    emit: (e) => emit({ kind: 'task', ...e }),
  });
  const core: LabCore = {
    world,
    now,
    bootMs: opts.bootMs ?? 1500,
    taskMs,
    haDelayMs: opts.haDelayMs ?? 2 * taskMs,
    tick: clock.tick,
    schedule: clock.schedule,
    emit,
    tasks,
    node(name) {
      const n = world.nodes.find((x) => x.name === name);
      if (!n) throw new Error(`no such lab node '${name}'`);
      return n;
    },
    guest(vmid) {
      const g = world.guests.find((x) => x.vmid === vmid);
      if (!g) throw new Error(`no such lab guest ${vmid}`);
      return g;
    },
  };
  const tick = clock.tick;
  const disk = createDiskOps(core);

  const state = {
    bootMs: core.bootMs,
    taskMs,
    haDelayMs: core.haDelayMs,
    now,
    /** Applies due timed transitions; reads do it themselves. */
    tick,
    /** Clusters' name as `GET /cluster/status` reports it. */
    clusterName: 'vigil-lab',
    getNode(name: string): LabNode | undefined {
      tick();
      return world.nodes.find((x) => x.name === name);
    },
    listNodes(): LabNode[] {
      tick();
      return world.nodes;
    },
    listGuests(): LabGuest[] {
      tick();
      return world.guests;
    },
    getGuest(vmid: number): LabGuest | undefined {
      tick();
      return world.guests.find((x) => x.vmid === vmid);
    },
    ...createPowerOps(core),
    ...createGuestOps(core),
    /** systemd state of a unit on a node ('nginx' and 'nginx.service' are the same); undefined if unknown. */
    serviceState(nodeName: string, unit: string): ServiceState | undefined {
      return core.node(nodeName).services.get(unitName(unit));
    },
    setServiceState(nodeName: string, unit: string, s: ServiceState): void {
      core.node(nodeName).services.set(unitName(unit), s);
      emit({ kind: 'service', node: nodeName, unit: unitName(unit), state: s });
    },
    /** Every unit of a node with its state. */
    listServices(nodeName: string): { unit: string; state: ServiceState }[] {
      return [...core.node(nodeName).services].map(([unit, s]) => ({ unit, state: s }));
    },
    ...disk,
    /** The Proxmox task log (start tasks, look them up, list them). */
    tasks,
    /** Runs `fn` after `delayMs` of lab time (used by the API simulator, e.g. for HA actions). */
    schedule: clock.schedule,
    /** Subscribes to changes; returns the unsubscribe function. */
    onChange(listener: (e: LabEvent) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** A JSON-safe picture of the whole world (served at GET /_lab/state). */
    snapshot() {
      tick();
      return {
        cluster: state.clusterName,
        nodes: world.nodes.map((n) => ({
          name: n.name,
          nodeid: n.nodeid,
          online: n.online,
          booting: n.bootingUntil !== null,
          ip: n.ip,
          mac: n.mac,
          cpus: n.cpus,
          uptime: n.startedAt === null ? 0 : Math.floor((now() - n.startedAt) / 1000),
          usage: disk.usage(n.name),
          services: Object.fromEntries(n.services),
          logs: n.logs.map((f) => ({ ...f })),
          journalBytes: n.journalBytes,
          packageCacheBytes: n.packageCacheBytes,
          backups: n.backups.map((b) => ({ ...b })),
        })),
        guests: world.guests.map((g) => ({ ...g, ha: { ...g.ha }, snapshots: g.snapshots.map((s) => ({ ...s })) })),
        tasks: tasks.list().map((t) => ({ ...t })),
      };
    },
    /** Stops the timers; pending transitions still apply on the next read. */
    close: clock.close,
  };
  return state;
}

export type LabState = ReturnType<typeof createLabState>;
