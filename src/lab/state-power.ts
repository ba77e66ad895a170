/**
 * Power in the lab world: nodes going down, coming up and booting from Wake-on-LAN; guests
 * crashing, being stopped by an operator, locked; and the HA manager's recovery of a crashed guest.
 */
import type { LabTask } from './proxmox/tasks.js';
import type { LabNode } from './proxmox/world.js';
import { applyGuestStatus, type LabCore } from './state-core.js';

/** The power operations of a world. */
export function createPowerOps(core: LabCore) {
  const { world, now, tick, schedule, emit, tasks } = core;

  /**
   * Boots a node now: online, fresh uptime. Guests with `onboot: 1` come back as they were
   * (running ones restart); running guests without it stay stopped, as after a real power cut.
   */
  function bootNow(n: LabNode): void {
    n.online = true;
    n.bootingUntil = null;
    n.startedAt = now();
    for (const g of world.guests) {
      if (g.node !== n.name || g.status !== 'running') continue;
      if (g.onboot) g.startedAt = now();
      else applyGuestStatus(core, g, 'stopped', 'node-boot');
    }
    emit({ kind: 'node', node: n.name, online: true });
  }

  return {
    /** Powers a node off (guests become unreachable) or brings it back at once (rebooted, see bootNow). */
    setNodeOnline(name: string, online: boolean): void {
      tick();
      const n = core.node(name);
      if (online) {
        if (!n.online) bootNow(n);
        return;
      }
      if (!n.online && n.bootingUntil === null) return;
      n.online = false;
      n.bootingUntil = null;
      n.startedAt = null;
      emit({ kind: 'node', node: name, online: false });
    },
    /** Wake-on-LAN: a powered-off node with this MAC starts booting; online after bootMs. True if one was woken. */
    wakeByMac(mac: string): boolean {
      tick();
      const n = world.nodes.find((x) => x.mac.toLowerCase() === mac.toLowerCase());
      if (!n || n.online || n.bootingUntil !== null) return false;
      n.bootingUntil = now() + core.bootMs;
      emit({ kind: 'node', node: n.name, online: false, booting: true });
      schedule(core.bootMs, () => {
        if (!n.online && n.bootingUntil !== null) bootNow(n);
      });
      return true;
    },
    /** A guest dies: running → stopped with no task logged. HA-managed guests are restarted by the HA manager. */
    crashGuest(vmid: number): void {
      tick();
      const g = core.guest(vmid);
      if (g.status !== 'running') return;
      applyGuestStatus(core, g, 'stopped', 'crash');
      if (g.ha.managed && g.ha.state === 'started') {
        schedule(core.haDelayMs, () => {
          if (g.status === 'stopped' && g.ha.state === 'started' && core.node(g.node).online) {
            tasks.run({
              node: g.node,
              type: g.type === 'qemu' ? 'qmstart' : 'vzstart',
              id: String(vmid),
              user: 'root@pam',
              durationMs: 0,
              work: () => {
                applyGuestStatus(core, g, 'running', 'ha-recovery');
                return 'OK';
              },
            });
          }
        });
      }
    },
    /** An operator stops a guest in the Proxmox UI: stopped, with a qmstop/vzstop task by root@pam. */
    operatorStop(vmid: number): LabTask {
      tick();
      const g = core.guest(vmid);
      const task = tasks.run({
        node: g.node,
        type: g.type === 'qemu' ? 'qmstop' : 'vzstop',
        id: String(vmid),
        user: 'root@pam',
        durationMs: 0,
        work: () => {
          if (g.ha.managed) g.ha.state = 'stopped';
          applyGuestStatus(core, g, 'stopped', 'operator');
          return 'OK';
        },
      });
      tick();
      return task;
    },
    /** Sets or clears (null or '') a guest's lock, e.g. 'backup'. */
    lockGuest(vmid: number, lock: string | null): void {
      tick();
      const g = core.guest(vmid);
      g.lock = lock ? lock : undefined;
      emit({ kind: 'lock', vmid, lock: g.lock ?? null });
    },
    /** Sets a guest's run state directly (used by the API simulator's tasks). */
    setGuestStatus(vmid: number, status: 'running' | 'stopped', cause: string): void {
      applyGuestStatus(core, core.guest(vmid), status, cause);
    },
  };
}
