/**
 * Per-guest backup state, read from Proxmox: the newest vzdump archive on any storage that holds
 * backups, and the result of the newest vzdump task that covered the guest. A task for several
 * guests has an empty id, so its log decides which guest failed ("ERROR: Backup of VM 100 failed
 * - …", pve-manager VZDump.pm). Shared by `list_backups` and the monitor's backup conditions.
 */
import type { ProxmoxClient } from './client.js';
import type { StorageItem } from './feature-types.js';
import type { GuestResource, TaskListEntry } from './types.js';

/** The newest archive of a guest. */
export interface BackupArchive {
  volid: string;
  storage: string;
  /** Epoch seconds. */
  ctime: number;
  size?: number;
}

/** The outcome of the newest vzdump task that included a guest. */
export interface BackupRun {
  ok: boolean;
  /** The task's exit status (`OK`, `job errors`, …). */
  exitstatus: string;
  /** This guest's error line, when the task says one. */
  error?: string;
  /** Epoch seconds. */
  starttime: number;
  upid: string;
}

export interface GuestBackupState {
  vmid: number;
  node: string;
  name?: string;
  last?: BackupArchive;
  lastRun?: BackupRun;
}

/** Tasks listed per node; logs read per multi-guest task (both bounded). */
const TASKS_PER_NODE = 50;
const LOGS_PER_NODE = 10;

/** Which guests a vzdump task's log names as finished or failed. */
export function parseVzdumpLog(lines: string[]): Map<number, { ok: boolean; error?: string }> {
  const out = new Map<number, { ok: boolean; error?: string }>();
  for (const line of lines) {
    const failed = /^ERROR: Backup of VM (\d+) failed - (.*)$/.exec(line);
    if (failed) out.set(Number(failed[1]), { ok: false, error: failed[2] });
    const done = /^INFO: Finished Backup of VM (\d+)/.exec(line);
    if (done && !out.has(Number(done[1]))) out.set(Number(done[1]), { ok: true });
  }
  return out;
}

/**
 * Reads the backup state of `guests` (whose nodes must be online to be read; guests of other
 * nodes come back without results). Archives of a guest are looked for on every storage of the
 * cluster with `backup` content.
 */
export async function readBackupStates(
  px: ProxmoxClient,
  guests: GuestResource[],
  signal?: AbortSignal,
): Promise<GuestBackupState[]> {
  const resources = await px.clusterResources('storage', signal);
  const stores = resources.filter(
    (r): r is Extract<typeof r, { type: 'storage' }> =>
      r.type === 'storage' && r.status === 'available' && (r.content ?? []).includes('backup'),
  );
  const seen = new Set<string>();
  const archives: StorageItem[] = [];
  for (const s of stores) {
    // A shared storage appears once per node; its content is the same from each.
    const key = s.shared ? s.storage : `${s.node}/${s.storage}`;
    if (seen.has(key)) continue;
    seen.add(key);
    archives.push(...(await px.storageContent(s.node, s.storage, { content: 'backup' }, signal)));
  }
  const runs = new Map<number, BackupRun>();
  const nodes = [...new Set(stores.map((s) => s.node))];
  for (const node of nodes) {
    const { tasks } = await px.listTasks(node, { typefilter: 'vzdump', limit: TASKS_PER_NODE }, signal);
    let logs = 0;
    // Newest first: the first result seen for a guest is its latest.
    for (const t of tasks as TaskListEntry[]) {
      if (t.running) continue;
      const exitstatus = t.status ?? '';
      const base = { ok: t.ok, exitstatus, starttime: t.starttime, upid: t.upid };
      // A task for one guest that ended OK says all; otherwise its log names each guest's reason.
      if (t.id && (t.ok || runs.has(Number(t.id)))) {
        if (!runs.has(Number(t.id))) runs.set(Number(t.id), base);
        continue;
      }
      if (logs++ >= LOGS_PER_NODE) {
        if (t.id && !runs.has(Number(t.id))) runs.set(Number(t.id), base);
        continue;
      }
      const per = parseVzdumpLog(await px.taskLog(node, t.upid, {}, signal));
      for (const [id, r] of per)
        if (!runs.has(id)) runs.set(id, { ...base, ok: r.ok, ...(r.error ? { error: r.error } : {}) });
    }
  }
  return guests.map((g) => {
    const mine = archives
      .filter((a) => a.vmid === g.vmid && a.ctime !== undefined)
      .sort((a, b) => (b.ctime ?? 0) - (a.ctime ?? 0))[0];
    return {
      vmid: g.vmid,
      node: g.node,
      ...(g.name ? { name: g.name } : {}),
      ...(mine
        ? { last: { volid: mine.volid, storage: mine.volid.split(':')[0]!, ctime: mine.ctime!, size: mine.size } }
        : {}),
      ...(runs.has(g.vmid) ? { lastRun: runs.get(g.vmid)! } : {}),
    };
  });
}
