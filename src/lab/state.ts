/**
 * The simulated homelab's world model: nodes, guests, services, disks and the Proxmox task log.
 * Pure in-memory and deterministic from a seed; time comes from an injectable `now()`.
 * Every surface of the lab (Proxmox API simulator, SSH nodes, WoL listener, chaos) reads and
 * changes the world only through this object, and observers see each change through `onChange`.
 *
 * Node power model (a choice the real world leaves open): a node taken down is powered off
 * (`setNodeOnline(n, false)`); the Proxmox API then shows its guests as `unknown`, as real PVE
 * does once the RRD data ages out. When the node comes back (`setNodeOnline(n, true)` or a WoL
 * boot) it has rebooted: uptime starts again, and its guests return as they were, because every
 * lab guest has `onboot: 1` (PVE starts those at boot); guests that were stopped stay stopped.
 */
import { createTaskLog, type LabTask, type TaskLog } from './proxmox/tasks.js';
import { generateWorld, type LabGuest, type LabNode, type LogFile, type ServiceState } from './proxmox/world.js';

export type { LabGuest, LabNode, LogFile, ServiceState, LabTask };

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

/** One change in the world, for observers (tests, demo chaos, dashboards). */
export type LabEvent =
  | { kind: 'node'; node: string; online: boolean; booting?: boolean }
  | { kind: 'guest'; vmid: number; node: string; status: 'running' | 'stopped'; cause: string }
  | { kind: 'lock'; vmid: number; lock: string | null }
  | { kind: 'service'; node: string; unit: string; state: ServiceState }
  | { kind: 'usage'; node: string; diskPercent: number; memoryPercent: number }
  | { kind: 'task'; node: string; upid: string; status: 'running' | 'stopped'; exitstatus?: string };

/** What `usage(node)` returns. */
export interface NodeUsage {
  diskPercent: number;
  memoryPercent: number;
  disk: { total: number; used: number };
  memory: { total: number; used: number };
}

/** File the lab grows when chaos fills a disk, so cleanup has something to truncate. */
export const RUNAWAY_LOG = '/var/log/app/runaway.log';

/**
 * Creates the lab world. Timed transitions (boots, task ends, HA actions) are kept in a queue:
 * a timer applies them, and every read applies those already due by `now()`, so a test with a
 * fake clock can move time without waiting.
 */
export function createLabState(opts: LabStateOptions = {}) {
  const now = opts.now ?? Date.now;
  const bootMs = opts.bootMs ?? 1500;
  const taskMs = opts.taskMs ?? 300;
  const haDelayMs = opts.haDelayMs ?? 2 * taskMs;
  const world = generateWorld({
    nodes: opts.nodes ?? 3,
    guestsPerNode: opts.guestsPerNode ?? 4,
    seed: opts.seed ?? 1,
    now: now(),
  });
  const listeners = new Set<(e: LabEvent) => void>();
  const pending: { at: number; seq: number; fn: () => void }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let seq = 0;
  let closed = false;

  const emit = (e: LabEvent): void => {
    for (const l of listeners) l(e);
  };

  /** Runs `fn` after `delayMs` of lab time. */
  function schedule(delayMs: number, fn: () => void): void {
    pending.push({ at: now() + delayMs, seq: seq++, fn });
    if (closed) return;
    const t = setTimeout(
      () => {
        timers.delete(t);
        tick();
      },
      Math.max(0, delayMs),
    );
    t.unref();
    timers.add(t);
  }

  /** Applies every transition already due, oldest first. */
  function tick(): void {
    for (;;) {
      const t = now();
      let idx = -1;
      for (let i = 0; i < pending.length; i++) {
        const p = pending[i]!;
        if (
          p.at <= t &&
          (idx < 0 || p.at < pending[idx]!.at || (p.at === pending[idx]!.at && p.seq < pending[idx]!.seq))
        )
          idx = i;
      }
      if (idx < 0) return;
      const [p] = pending.splice(idx, 1);
      p!.fn();
    }
  }

  const tasks: TaskLog = createTaskLog({
    now,
    seed: opts.seed ?? 1,
    schedule,
    emit: (e) => emit({ kind: 'task', ...e }),
  });

  function node(name: string): LabNode {
    const n = world.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no such lab node '${name}'`);
    return n;
  }
  function guest(vmid: number): LabGuest {
    const g = world.guests.find((x) => x.vmid === vmid);
    if (!g) throw new Error(`no such lab guest ${vmid}`);
    return g;
  }

  function setGuestStatus(g: LabGuest, status: 'running' | 'stopped', cause: string): void {
    if (g.status === status) return;
    g.status = status;
    g.paused = false;
    g.startedAt = status === 'running' ? now() : null;
    g.mem = status === 'running' ? Math.round(g.maxmem * 0.4) : 0;
    emit({ kind: 'guest', vmid: g.vmid, node: g.node, status, cause });
  }

  function diskUsed(n: LabNode): number {
    return n.disk.base + n.logs.reduce((s, f) => s + f.sizeBytes, 0) + n.journalBytes + n.packageCacheBytes;
  }

  function usage(name: string): NodeUsage {
    tick();
    const n = node(name);
    const used = diskUsed(n);
    return {
      diskPercent: (used / n.disk.total) * 100,
      memoryPercent: (n.memory.used / n.memory.total) * 100,
      disk: { total: n.disk.total, used },
      memory: { total: n.memory.total, used: n.memory.used },
    };
  }

  function emitUsage(name: string): void {
    const u = usage(name);
    emit({ kind: 'usage', node: name, diskPercent: u.diskPercent, memoryPercent: u.memoryPercent });
  }

  /** Boots a node now: online, fresh uptime. Its guests keep their state (all have onboot=1). */
  function bootNow(n: LabNode): void {
    n.online = true;
    n.bootingUntil = null;
    n.startedAt = now();
    for (const g of world.guests) if (g.node === n.name && g.status === 'running') g.startedAt = now();
    emit({ kind: 'node', node: n.name, online: true });
  }

  function unitName(unit: string): string {
    return unit.endsWith('.service') || unit.includes('.') ? unit : `${unit}.service`;
  }

  const state = {
    bootMs,
    taskMs,
    haDelayMs,
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
    /** Powers a node off (guests become unreachable) or brings it back at once (rebooted, see file doc). */
    setNodeOnline(name: string, online: boolean): void {
      tick();
      const n = node(name);
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
      n.bootingUntil = now() + bootMs;
      emit({ kind: 'node', node: n.name, online: false, booting: true });
      schedule(bootMs, () => {
        if (!n.online && n.bootingUntil !== null) bootNow(n);
      });
      return true;
    },
    /** A guest dies: running → stopped with no task logged. HA-managed guests are restarted by the HA manager. */
    crashGuest(vmid: number): void {
      tick();
      const g = guest(vmid);
      if (g.status !== 'running') return;
      setGuestStatus(g, 'stopped', 'crash');
      if (g.ha.managed && g.ha.state === 'started') {
        schedule(haDelayMs, () => {
          if (g.status === 'stopped' && g.ha.state === 'started' && node(g.node).online) {
            tasks.run({
              node: g.node,
              type: g.type === 'qemu' ? 'qmstart' : 'vzstart',
              id: String(vmid),
              user: 'root@pam',
              durationMs: 0,
              work: () => {
                setGuestStatus(g, 'running', 'ha-recovery');
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
      const g = guest(vmid);
      const task = tasks.run({
        node: g.node,
        type: g.type === 'qemu' ? 'qmstop' : 'vzstop',
        id: String(vmid),
        user: 'root@pam',
        durationMs: 0,
        work: () => {
          if (g.ha.managed) g.ha.state = 'stopped';
          setGuestStatus(g, 'stopped', 'operator');
          return 'OK';
        },
      });
      tick();
      return task;
    },
    /** Sets or clears (null or '') a guest's lock, e.g. 'backup'. */
    lockGuest(vmid: number, lock: string | null): void {
      tick();
      const g = guest(vmid);
      g.lock = lock ? lock : undefined;
      emit({ kind: 'lock', vmid, lock: g.lock ?? null });
    },
    /** Sets a guest's run state directly (used by the API simulator's tasks). */
    setGuestStatus(vmid: number, status: 'running' | 'stopped', cause: string): void {
      setGuestStatus(guest(vmid), status, cause);
    },
    /** systemd state of a unit on a node ('nginx' and 'nginx.service' are the same); undefined if unknown. */
    serviceState(nodeName: string, unit: string): ServiceState | undefined {
      return node(nodeName).services.get(unitName(unit));
    },
    setServiceState(nodeName: string, unit: string, s: ServiceState): void {
      node(nodeName).services.set(unitName(unit), s);
      emit({ kind: 'service', node: nodeName, unit: unitName(unit), state: s });
    },
    /** Every unit of a node with its state. */
    listServices(nodeName: string): { unit: string; state: ServiceState }[] {
      return [...node(nodeName).services].map(([unit, s]) => ({ unit, state: s }));
    },
    usage,
    /**
     * Sets disk and/or memory usage in percent. Raising the disk grows RUNAWAY_LOG (so a cleanup can
     * free it again); lowering it shrinks other data first, then that file.
     */
    setUsage(name: string, u: { diskPercent?: number; memoryPercent?: number }): void {
      tick();
      const n = node(name);
      if (u.memoryPercent !== undefined) n.memory.used = Math.round((n.memory.total * u.memoryPercent) / 100);
      if (u.diskPercent !== undefined) {
        let delta = Math.round((n.disk.total * u.diskPercent) / 100) - diskUsed(n);
        let runaway = n.logs.find((f) => f.path === RUNAWAY_LOG);
        if (delta > 0) {
          if (!runaway) n.logs.push((runaway = { path: RUNAWAY_LOG, sizeBytes: 0, ageDays: 0 }));
          runaway.sizeBytes += delta;
        } else {
          const fromBase = Math.min(n.disk.base, -delta);
          n.disk.base -= fromBase;
          delta += fromBase;
          if (delta < 0 && runaway) runaway.sizeBytes = Math.max(0, runaway.sizeBytes + delta);
        }
      }
      emitUsage(name);
    },
    /** Simulated log files under /var/log/app (copies). */
    logFiles(name: string): LogFile[] {
      return node(name).logs.map((f) => ({ ...f }));
    },
    /** Deletes log files; returns bytes freed. Unknown paths are ignored. */
    removeLogFiles(name: string, paths: string[]): number {
      const n = node(name);
      const gone = n.logs.filter((f) => paths.includes(f.path));
      n.logs = n.logs.filter((f) => !paths.includes(f.path));
      const freed = gone.reduce((s, f) => s + f.sizeBytes, 0);
      if (freed) emitUsage(name);
      return freed;
    },
    /** Truncates one log file to `keepBytes` (after the caller kept a compressed copy); returns bytes freed. */
    truncateLogFile(name: string, path: string, keepBytes = 0): number {
      const f = node(name).logs.find((x) => x.path === path);
      if (!f) return 0;
      const freed = Math.max(0, f.sizeBytes - keepBytes);
      f.sizeBytes -= freed;
      if (freed) emitUsage(name);
      return freed;
    },
    /** Adds (or replaces) a log file, e.g. a compressed copy kept by a cleanup. */
    addLogFile(name: string, file: LogFile): void {
      const n = node(name);
      n.logs = n.logs.filter((f) => f.path !== file.path).concat({ ...file });
      emitUsage(name);
    },
    journalBytes(name: string): number {
      return node(name).journalBytes;
    },
    packageCacheBytes(name: string): number {
      return node(name).packageCacheBytes;
    },
    /** `journalctl --vacuum-size`: shrinks the journal to maxBytes; returns bytes freed. */
    vacuumJournal(name: string, maxBytes: number): number {
      const n = node(name);
      const freed = Math.max(0, n.journalBytes - maxBytes);
      n.journalBytes -= freed;
      if (freed) emitUsage(name);
      return freed;
    },
    /** `apt-get clean`: empties the package cache; returns bytes freed. */
    cleanPackageCache(name: string): number {
      const n = node(name);
      const freed = n.packageCacheBytes;
      n.packageCacheBytes = 0;
      if (freed) emitUsage(name);
      return freed;
    },
    /** The Proxmox task log (start tasks, look them up, list them). */
    tasks,
    /** Runs `fn` after `delayMs` of lab time (used by the API simulator, e.g. for HA actions). */
    schedule,
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
          usage: usage(n.name),
          services: Object.fromEntries(n.services),
          logs: n.logs.map((f) => ({ ...f })),
          journalBytes: n.journalBytes,
          packageCacheBytes: n.packageCacheBytes,
        })),
        guests: world.guests.map((g) => ({ ...g, ha: { ...g.ha } })),
        tasks: tasks.list().map((t) => ({ ...t })),
      };
    },
    /** Stops the timers; pending transitions still apply on the next read. */
    close(): void {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
  return state;
}

export type LabState = ReturnType<typeof createLabState>;
