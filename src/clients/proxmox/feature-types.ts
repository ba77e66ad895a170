/**
 * Typed results of the Proxmox client's snapshot, backup, guest-config, HA and migration calls, and
 * the parsers that build them from raw API JSON (reference section 10): 0/1 booleans become
 * booleans, `tags` a list, QEMU's and PVE 9 LXC's migration keys one shape.
 */
import { asArray, asObject, bool, num, str } from './parse.js';

type Raw = Record<string, unknown>;

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

export function parseSnapshot(e: Raw): Snapshot {
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

export function parseStorageItem(e: Raw): StorageItem {
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

export function parseBackupJob(e: Raw): BackupJob {
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
export function agentEnabled(v: unknown): boolean {
  const s = str(v);
  if (!s) return false;
  const first = s.split(',')[0]!;
  const value = first.includes('=') ? (/^enabled=(.*)$/.exec(first)?.[1] ?? '1') : first;
  return value === '1';
}

export function parseHaStatus(data: unknown): HaStatus {
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

export function parseMigrateCheck(data: unknown): MigrateCheck {
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
