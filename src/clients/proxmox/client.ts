/**
 * vigil's Proxmox VE client: the only code that talks to the Proxmox API.
 * Reads return typed, parsed results; actions return UPIDs that `waitForTask` follows.
 */
import { ProxmoxError } from './errors.js';
import { createFeatureMethods } from './features.js';
import { createTransport, sleep, type Params, type TransportOptions } from './transport.js';
import {
  asArray,
  parseClusterStatus,
  parseGuest,
  parseGuestStatus,
  parseNodeListEntry,
  parseNodeStatus,
  parseResource,
  parseService,
  parseStorage,
  parseTaskListEntry,
  parseTaskStatus,
} from './parse.js';
import type {
  ClusterResource,
  ClusterStatus,
  Guest,
  GuestResource,
  GuestStatus,
  GuestType,
  NodeListEntry,
  NodeStatus,
  ServiceEntry,
  Storage,
  TaskListEntry,
  TaskStatus,
} from './types.js';

export const GUEST_ACTIONS = ['start', 'stop', 'shutdown', 'reboot', 'suspend', 'resume'] as const;
export type GuestAction = (typeof GUEST_ACTIONS)[number];
export const NODE_COMMANDS = ['reboot', 'shutdown'] as const;
export type NodeCommand = (typeof NODE_COMMANDS)[number];

/** Connection settings of the client: exactly those of its transport. */
export type ProxmoxClientOptions = TransportOptions;

export interface TaskListQuery {
  limit?: number;
  start?: number;
  vmid?: number;
  /** Epoch seconds. */
  since?: number;
  until?: number;
  typefilter?: string;
  /** `archive` (finished, Proxmox's default), `active` or `all`. */
  source?: 'archive' | 'active' | 'all';
  errors?: boolean;
}

export interface WaitOptions {
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  /** Poll interval (default 500 ms). */
  pollMs?: number;
  signal?: AbortSignal;
}

const seg = (s: string | number) => encodeURIComponent(String(s));

/** Creates the client. Nothing is sent until a method is called. */
export function createProxmoxClient(o: ProxmoxClientOptions) {
  const t = createTransport(o);
  const get = (path: string, params?: Params, signal?: AbortSignal) => t.call('GET', path, params, signal);
  const post = (path: string, params?: Params, signal?: AbortSignal) => t.call('POST', path, params, signal);
  const del = (path: string, params?: Params, signal?: AbortSignal) => t.call('DELETE', path, params, signal);

  /** Polls `check` until it returns a value, the deadline passes or the signal aborts. */
  async function poll<T>(what: string, w: WaitOptions, check: () => Promise<T | undefined>): Promise<T> {
    const timeoutMs = w.timeoutMs ?? 60_000;
    const pollMs = w.pollMs ?? 500;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (w.signal?.aborted) throw new ProxmoxError(`stopped waiting for ${what}: aborted`, 'aborted');
      const v = await check();
      if (v !== undefined) return v;
      if (Date.now() >= deadline) throw new ProxmoxError(`${what} did not finish within ${timeoutMs} ms`, 'timeout');
      await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())), w.signal);
    }
  }

  const client = {
    ...createFeatureMethods(get, post, del),
    async clusterStatus(signal?: AbortSignal): Promise<ClusterStatus> {
      return parseClusterStatus((await get('/cluster/status', undefined, signal)).data);
    },
    /** `GET /cluster/resources`; the preferred inventory (works while single nodes are offline). */
    async clusterResources(type?: 'vm' | 'node' | 'storage', signal?: AbortSignal): Promise<ClusterResource[]> {
      const res = await get('/cluster/resources', { type }, signal);
      return asArray(res.data).flatMap((e) => parseResource(e) ?? []);
    },
    async listNodes(signal?: AbortSignal): Promise<NodeListEntry[]> {
      return asArray((await get('/nodes', undefined, signal)).data).map(parseNodeListEntry);
    },
    async nodeStatus(node: string, signal?: AbortSignal): Promise<NodeStatus> {
      return parseNodeStatus((await get(`/nodes/${seg(node)}/status`, undefined, signal)).data);
    },
    /** QEMU VMs and LXC containers of one node, merged, each with its type. */
    async listGuests(node: string, signal?: AbortSignal): Promise<Guest[]> {
      const [qemu, lxc] = await Promise.all([
        get(`/nodes/${seg(node)}/qemu`, undefined, signal),
        get(`/nodes/${seg(node)}/lxc`, undefined, signal),
      ]);
      return [
        ...asArray(qemu.data).map((e) => parseGuest(e, node, 'qemu')),
        ...asArray(lxc.data).map((e) => parseGuest(e, node, 'lxc')),
      ].sort((a, b) => a.vmid - b.vmid);
    },
    async guestStatus(node: string, type: GuestType, vmid: number, signal?: AbortSignal): Promise<GuestStatus> {
      return parseGuestStatus(
        (await get(`/nodes/${seg(node)}/${type}/${vmid}/status/current`, undefined, signal)).data,
        node,
        type,
      );
    },
    /** Where a guest lives, from /cluster/resources; undefined when no guest has this vmid. */
    async findGuest(vmid: number, signal?: AbortSignal): Promise<GuestResource | undefined> {
      const all = await client.clusterResources('vm', signal);
      return all.find((r): r is GuestResource => (r.type === 'qemu' || r.type === 'lxc') && r.vmid === vmid);
    },
    async listStorage(node: string, signal?: AbortSignal): Promise<Storage[]> {
      return asArray((await get(`/nodes/${seg(node)}/storage`, undefined, signal)).data).map(parseStorage);
    },
    /** Tasks of a node, newest first, with Proxmox's `total` count of matches. */
    async listTasks(
      node: string,
      q: TaskListQuery = {},
      signal?: AbortSignal,
    ): Promise<{ tasks: TaskListEntry[]; total: number }> {
      const res = await get(`/nodes/${seg(node)}/tasks`, { ...q }, signal);
      const tasks = asArray(res.data).map(parseTaskListEntry);
      return { tasks, total: res.total ?? tasks.length };
    },
    async taskStatus(node: string, upid: string, signal?: AbortSignal): Promise<TaskStatus> {
      return parseTaskStatus((await get(`/nodes/${seg(node)}/tasks/${seg(upid)}/status`, undefined, signal)).data);
    },
    async listServices(node: string, signal?: AbortSignal): Promise<ServiceEntry[]> {
      return asArray((await get(`/nodes/${seg(node)}/services`, undefined, signal)).data).map(parseService);
    },
    /** Starts a power action; returns the task's UPID. Pre-fork refusals reject at once (500 with Proxmox's text). */
    async guestAction(
      node: string,
      type: GuestType,
      vmid: number,
      action: GuestAction,
      params?: Params,
      signal?: AbortSignal,
    ): Promise<string> {
      const res = await post(`/nodes/${seg(node)}/${type}/${vmid}/status/${action}`, params, signal);
      if (typeof res.data !== 'string')
        throw new ProxmoxError(`Proxmox returned no task for ${action} of ${vmid} on ${node}`, 'api');
      return res.data;
    },
    /**
     * Reboots or shuts down a node. Proxmox answers `null` (Nodes.pm runs `(sleep 2; reboot)&`),
     * so there is no task: follow the node's status instead. Returns a UPID if a server gives one.
     */
    async nodeAction(node: string, command: NodeCommand, signal?: AbortSignal): Promise<string | null> {
      const res = await post(`/nodes/${seg(node)}/status`, { command }, signal);
      return typeof res.data === 'string' ? res.data : null;
    },
    /**
     * Waits until a task stops. Resolves when it ended OK (or with warnings); rejects with a
     * `task` ProxmoxError whose message is the exit status ("VM is locked (backup)").
     */
    async waitForTask(node: string, upid: string, w: WaitOptions = {}): Promise<TaskStatus> {
      const done = await poll(`task ${upid}`, w, async () => {
        const s = await client.taskStatus(node, upid, w.signal);
        return s.status === 'stopped' ? s : undefined;
      });
      if (!done.ok)
        throw new ProxmoxError(
          done.exitstatus || 'task failed without an exit status',
          'task',
          undefined,
          done.exitstatus,
        );
      return done;
    },
    /**
     * Polls a guest until it reaches `want` (for HA-managed guests, whose hastart/hastop task
     * ends before the HA manager acts). Rejects if the HA manager reports `error`.
     */
    async waitForGuestState(
      node: string,
      type: GuestType,
      vmid: number,
      want: 'running' | 'stopped',
      w: WaitOptions = {},
    ): Promise<GuestStatus> {
      return poll(`${type === 'qemu' ? 'VM' : 'CT'} ${vmid} to be ${want}`, w, async () => {
        const s = await client.guestStatus(node, type, vmid, w.signal);
        if (s.status === want) return s;
        if (s.ha.managed && s.ha.state === 'error')
          throw new ProxmoxError(
            `HA manager put ${type === 'qemu' ? 'vm' : 'ct'}:${vmid} in state error${s.lock ? ` (guest is locked: ${s.lock})` : ''}`,
            'task',
          );
        return undefined;
      });
    },
    /** Closes idle connections. */
    close(): void {
      t.close();
    },
  };
  return client;
}

export type ProxmoxClient = ReturnType<typeof createProxmoxClient>;
