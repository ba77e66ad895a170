/**
 * The Proxmox client's snapshot, backup, guest-agent, guest-config, HA, migration, wake-on-LAN and
 * reset calls (reference: the Proxmox API's qemu-server, pve-container, vzdump, pve-storage and
 * pve-ha-manager handlers). Typed results are parsed from raw JSON here; actions return UPIDs.
 */
import { ProxmoxError } from './errors.js';
import type { Params } from './transport.js';
import { asArray, asObject, bool, num, str, type GuestType } from './types.js';

type Raw = Record<string, unknown>;
type Call = (path: string, params?: Params, signal?: AbortSignal) => Promise<{ data: unknown; total?: number }>;

/** One snapshot of a guest; `current` is the "You are here!" entry Proxmox lists last. */
export interface Snapshot {
  name: string;
  description: string;
  /** Epoch seconds; absent on `current`. */
  snaptime?: number;
  parent?: string;
  /** QEMU: RAM was saved with it. */
  vmstate?: boolean;
  /** Unfinished snapshot (`prepare` or `delete`). */
  snapstate?: string;
  current: boolean;
  /** On `current`: whether the guest runs. */
  running?: boolean;
}

/** One item of a storage's content, e.g. a vzdump archive. */
export interface StorageItem {
  volid: string;
  content: string;
  format?: string;
  /** `qemu` or `lxc` for backups. */
  subtype?: string;
  vmid?: number;
  /** Epoch seconds (for backups, from the archive's file name). */
  ctime?: number;
  size?: number;
  notes?: string;
  protected?: boolean;
}

/** A scheduled backup job of `/cluster/backup`. */
export interface BackupJob {
  id: string;
  schedule?: string;
  enabled: boolean;
  /** Epoch seconds. */
  nextRun?: number;
  storage?: string;
  mode?: string;
  /** Guest ids the job names; undefined when it backs up `all` or a pool. */
  vmids?: number[];
  all: boolean;
  comment?: string;
}

/** What a guest's config says about how vigil may treat it. */
export interface GuestConfig {
  name?: string;
  onboot: boolean;
  /** A QEMU guest agent is configured and enabled. */
  agent: boolean;
  lock?: string;
  tags: string[];
}

/** One HA-managed service of `/cluster/ha/status/current`. */
export interface HaService {
  /** `vm:100` / `ct:101`. */
  sid: string;
  vmid: number;
  node?: string;
  /** CRM state: started, stopped, request_start, error, ... */
  crmState?: string;
  /** Verbose state (adds starting, stopping, queued, ...). */
  state?: string;
  requestState?: string;
  status?: string;
}

/** `/cluster/ha/status/current`, split by entry type. */
export interface HaStatus {
  quorate?: boolean;
  master?: { node?: string; status?: string };
  lrms: { node: string; status?: string }[];
  services: HaService[];
}

/** `GET …/migrate`: Proxmox's view of where a guest could go (QEMU and PVE 9 LXC keys unified). */
export interface MigrateCheck {
  running: boolean;
  allowedNodes: string[];
  /** Node → why not (unavailable storages, blocking HA resources, ...). */
  notAllowed: Record<string, string[]>;
  localDisks: { volid: string; size?: number; cdrom: boolean; attached: boolean }[];
  localResources: string[];
}

function parseSnapshot(e: Raw): Snapshot {
  const name = str(e.name) ?? '';
  return {
    name,
    description: str(e.description) ?? '',
    snaptime: num(e.snaptime),
    parent: str(e.parent),
    vmstate: bool(e.vmstate),
    snapstate: str(e.snapstate),
    current: name === 'current',
    running: bool(e.running),
  };
}

function parseStorageItem(e: Raw): StorageItem {
  return {
    volid: str(e.volid) ?? '',
    content: str(e.content) ?? '',
    format: str(e.format),
    subtype: str(e.subtype),
    vmid: num(e.vmid),
    ctime: num(e.ctime),
    size: num(e.size),
    notes: str(e.notes),
    protected: bool(e.protected),
  };
}

function parseBackupJob(e: Raw): BackupJob {
  const vmid = str(e.vmid);
  return {
    id: str(e.id) ?? '',
    schedule: str(e.schedule),
    enabled: bool(e.enabled) ?? true,
    nextRun: num(e['next-run']),
    storage: str(e.storage),
    mode: str(e.mode),
    vmids: vmid
      ? vmid
          .split(/[,;\s]+/)
          .filter(Boolean)
          .map(Number)
      : undefined,
    all: bool(e.all) ?? false,
    comment: str(e.comment),
  };
}

/** `agent: "1"` or `"enabled=1,fstrim_cloned_disks=1"`; `agent: 0` or absent means none. */
function agentEnabled(v: unknown): boolean {
  const s = str(v);
  if (!s) return false;
  const first = s.split(',')[0]!;
  const value = first.includes('=') ? (/^enabled=(.*)$/.exec(first)?.[1] ?? '1') : first;
  return value === '1';
}

function parseHaStatus(data: unknown): HaStatus {
  const out: HaStatus = { lrms: [], services: [] };
  for (const e of asArray(data)) {
    const type = str(e.type);
    if (type === 'quorum') out.quorate = bool(e.quorate);
    else if (type === 'master') out.master = { node: str(e.node), status: str(e.status) };
    else if (type === 'lrm') out.lrms.push({ node: str(e.node) ?? '', status: str(e.status) });
    else if (type === 'service') {
      const sid = str(e.sid) ?? '';
      out.services.push({
        sid,
        vmid: Number(sid.split(':')[1]),
        node: str(e.node),
        crmState: str(e.crm_state),
        state: str(e.state),
        requestState: str(e.request_state),
        status: str(e.status),
      });
    }
  }
  return out;
}

function parseMigrateCheck(data: unknown): MigrateCheck {
  const d = asObject(data);
  const allowed = d.allowed_nodes ?? d['allowed-nodes'];
  const notAllowed = asObject(d.not_allowed_nodes ?? d['not-allowed-nodes']);
  const reasons: Record<string, string[]> = {};
  for (const [node, why] of Object.entries(notAllowed)) {
    const w = asObject(why);
    const list: string[] = [];
    const storages = w.unavailable_storages;
    if (Array.isArray(storages) && storages.length) list.push(`storage not available there: ${storages.join(', ')}`);
    const blocking = w['blocking-ha-resources'];
    if (Array.isArray(blocking) && blocking.length)
      list.push(`blocked by HA resources: ${blocking.map((b) => str(asObject(b).sid) ?? '?').join(', ')}`);
    const res = w['unavailable-resources'];
    if (Array.isArray(res) && res.length) list.push(`resources not available there: ${res.join(', ')}`);
    if (list.length) reasons[node] = list;
  }
  return {
    running: bool(d.running) ?? false,
    allowedNodes: Array.isArray(allowed) ? allowed.map(String) : [],
    notAllowed: reasons,
    localDisks: asArray(d.local_disks).map((x) => ({
      volid: str(x.volid) ?? '',
      size: num(x.size),
      cdrom: bool(x.cdrom) ?? false,
      attached: bool(x.is_attached) ?? true,
    })),
    localResources: Array.isArray(d.local_resources) ? d.local_resources.map(String) : [],
  };
}

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
