/**
 * What the parts of the lab world share: the world itself, the clock, the task log and the change
 * stream. `createLabState` builds one core and hands it to each part (power, disks, snapshots, ...).
 */
import type { TaskLog } from './proxmox/tasks.js';
import type { LabGuest, LabNode, ServiceState } from './proxmox/world.js';

/** One change in the world, for observers (tests, demo chaos, dashboards). */
export type LabEvent =
  | { kind: 'node'; node: string; online: boolean; booting?: boolean }
  | { kind: 'guest'; vmid: number; node: string; status: 'running' | 'stopped'; cause: string }
  | { kind: 'lock'; vmid: number; lock: string | null }
  | { kind: 'service'; node: string; unit: string; state: ServiceState }
  | { kind: 'usage'; node: string; diskPercent: number; memoryPercent: number }
  | { kind: 'task'; node: string; upid: string; status: 'running' | 'stopped'; exitstatus?: string }
  | { kind: 'agent'; vmid: number; hung: boolean }
  | { kind: 'ha'; vmid: number; state: string | null };

/** The shared internals of one lab world. */
export interface LabCore {
  world: { nodes: LabNode[]; guests: LabGuest[] };
  now: () => number;
  bootMs: number;
  taskMs: number;
  haDelayMs: number;
  /** Applies due timed transitions. */
  tick(): void;
  /** Runs `fn` after `delayMs` of lab time. */
  schedule(delayMs: number, fn: () => void): void;
  emit(e: LabEvent): void;
  tasks: TaskLog;
  /** The node called `name`; throws for an unknown one. */
  node(name: string): LabNode;
  /** The guest `vmid`; throws for an unknown one. */
  guest(vmid: number): LabGuest;
}

/**
 * Sets a guest's run state and what goes with it (uptime, memory, pause). A guest that stops or
 * starts also has a fresh guest agent unless its hang is `sticky` only across resets: a power cycle
 * always brings the agent back.
 */
export function applyGuestStatus(core: LabCore, g: LabGuest, status: 'running' | 'stopped', cause: string): void {
  if (g.status === status) return;
  g.status = status;
  g.paused = false;
  g.startedAt = status === 'running' ? core.now() : null;
  g.mem = status === 'running' ? Math.round(g.maxmem * 0.4) : 0;
  if (g.agentHang) {
    g.agentHang = undefined;
    core.emit({ kind: 'agent', vmid: g.vmid, hung: false });
  }
  core.emit({ kind: 'guest', vmid: g.vmid, node: g.node, status, cause });
}
