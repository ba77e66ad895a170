/**
 * The Proxmox client's snapshot, backup, guest-agent, guest-config, HA, migration, wake-on-LAN and
 * reset calls (reference: the Proxmox API's qemu-server, pve-container, vzdump, pve-storage and
 * pve-ha-manager handlers). Typed results are parsed from raw JSON here; actions return UPIDs.
 */
import { ProxmoxError } from './errors.js';
import type { Params } from './transport.js';
import { asArray, asObject, bool, num, str } from './parse.js';
import type { GuestType } from './types.js';
import {
  agentEnabled,
  parseBackupJob,
  parseHaStatus,
  parseMigrateCheck,
  parseSnapshot,
  parseStorageItem,
  type BackupJob,
  type GuestConfig,
  type HaStatus,
  type MigrateCheck,
  type Snapshot,
  type StorageItem,
} from './feature-types.js';
type Call = (path: string, params?: Params, signal?: AbortSignal) => Promise<{ data: unknown; total?: number }>;

const seg = (s: string | number) => encodeURIComponent(String(s));

function upidOf(data: unknown, what: string): string {
  if (typeof data !== 'string' || !data.startsWith('UPID:'))
    throw new ProxmoxError(`Proxmox returned no task for ${what}`, 'api');
  return data;
}

/** The feature methods, over the client's GET/POST/DELETE helpers. */
export function createFeatureMethods(get: Call, post: Call, del: Call) {
  const g = (node: string, type: GuestType, vmid: number) => `/nodes/${seg(node)}/${type}/${vmid}`;
  return {
    /** Snapshots of a guest, oldest first, then `current`. */
    async listSnapshots(node: string, type: GuestType, vmid: number, signal?: AbortSignal): Promise<Snapshot[]> {
      return asArray((await get(`${g(node, type, vmid)}/snapshot`, undefined, signal)).data).map(parseSnapshot);
    },
    async createSnapshot(
      node: string,
      type: GuestType,
      vmid: number,
      p: { snapname: string; description?: string; vmstate?: boolean },
      signal?: AbortSignal,
    ): Promise<string> {
      const params: Params = { snapname: p.snapname, description: p.description };
      if (type === 'qemu' && p.vmstate !== undefined) params.vmstate = p.vmstate ? 1 : 0;
      const res = await post(`${g(node, type, vmid)}/snapshot`, params, signal);
      return upidOf(res.data, `snapshot ${p.snapname} of ${vmid}`);
    },
    async rollbackSnapshot(
      node: string,
      type: GuestType,
      vmid: number,
      snapname: string,
      p: { start?: boolean } = {},
      signal?: AbortSignal,
    ): Promise<string> {
      const res = await post(
        `${g(node, type, vmid)}/snapshot/${seg(snapname)}/rollback`,
        p.start ? { start: 1 } : undefined,
        signal,
      );
      return upidOf(res.data, `rollback of ${vmid} to ${snapname}`);
    },
    async deleteSnapshot(
      node: string,
      type: GuestType,
      vmid: number,
      snapname: string,
      signal?: AbortSignal,
    ): Promise<string> {
      const res = await del(`${g(node, type, vmid)}/snapshot/${seg(snapname)}`, undefined, signal);
      return upidOf(res.data, `deleting snapshot ${snapname} of ${vmid}`);
    },
    /** Starts a vzdump of guests on `node`; null when Proxmox answers "OK" (none of them lives there). */
    async vzdump(
      node: string,
      p: { vmids: number[]; storage: string; mode?: 'snapshot' | 'suspend' | 'stop' },
      signal?: AbortSignal,
    ): Promise<string | null> {
      const res = await post(
        `/nodes/${seg(node)}/vzdump`,
        { vmid: p.vmids.join(','), storage: p.storage, mode: p.mode },
        signal,
      );
      return res.data === 'OK' ? null : upidOf(res.data, `vzdump on ${node}`);
    },
    async storageContent(
      node: string,
      storage: string,
      q: { content?: string; vmid?: number } = {},
      signal?: AbortSignal,
    ): Promise<StorageItem[]> {
      const res = await get(`/nodes/${seg(node)}/storage/${seg(storage)}/content`, { ...q }, signal);
      return asArray(res.data).map(parseStorageItem);
    },
    async backupJobs(signal?: AbortSignal): Promise<BackupJob[]> {
      return asArray((await get('/cluster/backup', undefined, signal)).data).map(parseBackupJob);
    },
    /** Guests no backup job covers. */
    async notBackedUp(signal?: AbortSignal): Promise<{ vmid: number; type: string; name?: string }[]> {
      return asArray((await get('/cluster/backup-info/not-backed-up', undefined, signal)).data).map((e) => ({
        vmid: num(e.vmid) ?? 0,
        type: str(e.type) ?? '',
        name: str(e.name),
      }));
    },
    /** A task's log lines (the last is `TASK OK` or `TASK ERROR: …` once it stopped). */
    async taskLog(node: string, upid: string, q: { limit?: number } = {}, signal?: AbortSignal): Promise<string[]> {
      const res = await get(`/nodes/${seg(node)}/tasks/${seg(upid)}/log`, { limit: q.limit ?? 500 }, signal);
      return asArray(res.data).map((l) => str(l.t) ?? '');
    },
    async guestConfig(node: string, type: GuestType, vmid: number, signal?: AbortSignal): Promise<GuestConfig> {
      const c = asObject((await get(`${g(node, type, vmid)}/config`, undefined, signal)).data);
      const tags = str(c.tags);
      return {
        name: str(c.name) ?? str(c.hostname),
        onboot: bool(c.onboot) ?? false,
        agent: type === 'qemu' && agentEnabled(c.agent),
        lock: str(c.lock),
        tags: tags ? tags.split(/[;, ]+/).filter(Boolean) : [],
      };
    },
    /** `POST …/agent/ping`: resolves when the guest agent answers; rejects with Proxmox's 500 text otherwise. */
    async agentPing(node: string, vmid: number, signal?: AbortSignal): Promise<void> {
      await post(`${g(node, 'qemu', vmid)}/agent/ping`, undefined, signal);
    },
    /** `GET …/agent/<command>`: the guest agent's `result`. */
    async agentGet(
      node: string,
      vmid: number,
      command: 'get-osinfo' | 'get-fsinfo' | 'network-get-interfaces',
      signal?: AbortSignal,
    ): Promise<unknown> {
      return asObject((await get(`${g(node, 'qemu', vmid)}/agent/${command}`, undefined, signal)).data).result;
    },
    async haStatus(signal?: AbortSignal): Promise<HaStatus> {
      return parseHaStatus((await get('/cluster/ha/status/current', undefined, signal)).data);
    },
    async migrateCheck(
      node: string,
      type: GuestType,
      vmid: number,
      target?: string,
      signal?: AbortSignal,
    ): Promise<MigrateCheck> {
      return parseMigrateCheck((await get(`${g(node, type, vmid)}/migrate`, { target }, signal)).data);
    },
    async migrate(
      node: string,
      type: GuestType,
      vmid: number,
      p: { target: string; online?: boolean; withLocalDisks?: boolean; restart?: boolean },
      signal?: AbortSignal,
    ): Promise<string> {
      const params: Params =
        type === 'qemu'
          ? { target: p.target, online: p.online ? 1 : undefined, 'with-local-disks': p.withLocalDisks ? 1 : undefined }
          : { target: p.target, restart: p.restart ? 1 : undefined };
      return upidOf((await post(`${g(node, type, vmid)}/migrate`, params, signal)).data, `migration of ${vmid}`);
    },
    /** `POST /nodes/{node}/wakeonlan`: the node the API runs on sends the packet for `node`; returns its MAC. */
    async wakeOnLan(node: string, signal?: AbortSignal): Promise<string> {
      const res = await post(`/nodes/${seg(node)}/wakeonlan`, undefined, signal);
      return str(res.data) ?? '';
    },
    /** `POST …/qemu/{vmid}/status/reset` (QEMU only): a hard reset of the VM. */
    async resetGuest(node: string, vmid: number, signal?: AbortSignal): Promise<string> {
      return upidOf((await post(`${g(node, 'qemu', vmid)}/status/reset`, undefined, signal)).data, `reset of ${vmid}`);
    },
  };
}
