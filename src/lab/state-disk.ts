/**
 * Disks and memory of the lab nodes: usage figures, the log files under /var/log/app, the journal
 * and the package cache, which the SSH nodes' cleanup commands shrink.
 */
import type { LabNode, LogFile } from './proxmox/world.js';
import type { LabCore } from './state-core.js';

/** What `usage(node)` returns. */
export interface NodeUsage {
  diskPercent: number;
  memoryPercent: number;
  disk: { total: number; used: number };
  memory: { total: number; used: number };
}

/** File the lab grows when chaos fills a disk, so cleanup has something to truncate. */
export const RUNAWAY_LOG = '/var/log/app/runaway.log';

function diskUsed(n: LabNode): number {
  return n.disk.base + n.logs.reduce((s, f) => s + f.sizeBytes, 0) + n.journalBytes + n.packageCacheBytes;
}

/** The disk and memory operations of a world. */
export function createDiskOps(core: LabCore) {
  const { tick, emit } = core;
  const node = core.node;

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

  return {
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
  };
}
