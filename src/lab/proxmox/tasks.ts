/**
 * The lab's Proxmox task log: UPIDs in the real format (PVE/UPID.pm, `%08X` hex fields),
 * tasks that run for a moment and finish with an exit status ("OK" or the error text).
 */
import { seededRandom } from '../../util/random.js';

export interface LabTask {
  upid: string;
  node: string;
  pid: number;
  pstart: number;
  /** Epoch seconds. */
  starttime: number;
  type: string;
  id: string;
  /** As in the UPID, e.g. `root@pam!vigil` for a token. */
  user: string;
  status: 'running' | 'stopped';
  exitstatus?: string;
  endtime?: number;
  /** Lines the worker logged before its final `TASK OK` / `TASK ERROR:` line. */
  log: string[];
}

export interface TaskRun {
  node: string;
  type: string;
  id: string;
  user: string;
  durationMs: number;
  /** Runs when the task ends; returns the exit status ("OK") or throws with the error text. It may append to `log`. */
  work: (log: string[]) => string;
  /**
   * Runs as the worker starts (lock checks, taking a lock). Throwing ends the task at once with
   * the error text as its exit status, and `work` never runs.
   */
  begin?: () => void;
}

const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');

/** Builds a UPID string: `UPID:node:PID:PSTART:STARTTIME:type:id:user:`. */
export function encodeUpid(t: Pick<LabTask, 'node' | 'pid' | 'pstart' | 'starttime' | 'type' | 'id' | 'user'>): string {
  return `UPID:${t.node}:${hex8(t.pid)}:${hex8(t.pstart)}:${hex8(t.starttime)}:${t.type}:${t.id}:${t.user}:`;
}

/** The decode regex of PVE/UPID.pm; undefined when the string is not a UPID. */
export function decodeUpid(upid: string): Omit<LabTask, 'upid' | 'status' | 'log'> | undefined {
  const m =
    /^UPID:([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$/.exec(
      upid,
    );
  if (!m) return undefined;
  return {
    node: m[1]!,
    pid: parseInt(m[3]!, 16),
    pstart: parseInt(m[4]!, 16),
    starttime: parseInt(m[5]!, 16),
    type: m[6]!,
    id: m[7]!,
    user: m[8]!,
  };
}

/** Creates an empty task log. `schedule` runs a function after a delay of lab time. */
export function createTaskLog(deps: {
  now: () => number;
  seed: number;
  schedule: (delayMs: number, fn: () => void) => void;
  emit: (e: { node: string; upid: string; status: 'running' | 'stopped'; exitstatus?: string }) => void;
}) {
  const rnd = seededRandom(deps.seed ^ 0x5a5a);
  const tasks: LabTask[] = [];
  let pid = 0x10000 + Math.floor(rnd() * 0xf0000);
  let pstart = 0x200000 + Math.floor(rnd() * 0x800000);

  return {
    /** Starts a task; it stays `running` for durationMs, then `work` decides its exit status. */
    run(r: TaskRun): LabTask {
      pid += 1 + Math.floor(rnd() * 40);
      pstart += 100 + Math.floor(rnd() * 5000);
      const base = {
        node: r.node,
        pid,
        pstart,
        starttime: Math.floor(deps.now() / 1000),
        type: r.type,
        id: r.id,
        user: r.user,
      };
      const task: LabTask = { ...base, upid: encodeUpid(base), status: 'running', log: [] };
      tasks.push(task);
      deps.emit({ node: task.node, upid: task.upid, status: 'running' });
      let early: string | undefined;
      try {
        r.begin?.();
      } catch (err) {
        early = err instanceof Error ? err.message : String(err);
      }
      deps.schedule(early === undefined ? r.durationMs : 0, () => {
        let exit: string;
        try {
          exit = early ?? r.work(task.log);
        } catch (err) {
          exit = err instanceof Error ? err.message : String(err);
        }
        task.status = 'stopped';
        task.exitstatus = exit;
        task.endtime = Math.floor(deps.now() / 1000);
        deps.emit({ node: task.node, upid: task.upid, status: 'stopped', exitstatus: exit });
      });
      return task;
    },
    get(upid: string): LabTask | undefined {
      return tasks.find((t) => t.upid === upid);
    },
    /** All tasks, oldest first; of one node when given. */
    list(node?: string): LabTask[] {
      return node ? tasks.filter((t) => t.node === node) : tasks.slice();
    },
  };
}

export type TaskLog = ReturnType<typeof createTaskLog>;
