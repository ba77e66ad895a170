/**
 * The monitor's Proxmox-side readings for issue 11's conditions: guest-agent pings of running VMs
 * (guest.unresponsive), `onboot` of guests first seen stopped (guest.down), storage pools, HA state
 * and backups (storage.high, ha.error, backup.*), and the lock/backup precondition of the red
 * unresponsive runbook. Reads only; every change goes through executeTool.
 */
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/types.js';
import type { InfraClients } from '../clients/index.js';
import { ProxmoxError, readBackupStates } from '../clients/proxmox/index.js';
import type { Incident } from '../contracts/incidents.js';
import type { GuestObs } from './detect.js';
import { optedIn, unresponsiveBlock, type AgentObs } from './detect-guests.js';
import type { PveRoutineObs } from './detect-pve.js';
import type { ClusterReading } from './homelab.js';

/** Agent pings in flight at once. */
const AGENT_CONCURRENCY = 8;
const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export interface PveReaderDeps {
  config: VigilConfig;
  clients: InfraClients;
  logger: Logger;
  now: () => number;
  /** The observer's read of /cluster/resources. */
  cluster: (signal?: AbortSignal) => Promise<ClusterReading | null>;
}

/** Creates the reader; it keeps guest configs for a routine interval and the mapped HTTP failures. */
export function createPveReader(deps: PveReaderDeps) {
  const { config, clients, logger, cluster } = deps;

  /** Guest configs (agent, tags) read for agent pings, kept for a routine interval: they rarely change. */
  const configs = new Map<number, { at: number; agent: boolean; tags: string[] }>();
  async function agentConfig(
    px: NonNullable<typeof clients.proxmox>,
    node: string,
    vmid: number,
    signal?: AbortSignal,
  ): Promise<{ agent: boolean; tags: string[] } | null> {
    const hit = configs.get(vmid);
    if (hit && deps.now() - hit.at < config.monitor.schedules.routineSeconds * 1000) return hit;
    try {
      const c = await px.guestConfig(node, 'qemu', vmid, signal);
      const entry = { at: deps.now(), agent: c.agent, tags: c.tags };
      configs.set(vmid, entry);
      return entry;
    } catch (err) {
      logger.warn({ vmid, err: errText(err) }, 'monitor: reading a guest config failed');
      return null;
    }
  }

  /**
   * Agent readings of the running QEMU guests on online nodes that have an agent configured
   * (config read per guest: `agent`, tags), plus their mapped HTTP checks' last results.
   */
  async function agents(c: ClusterReading | null, signal?: AbortSignal): Promise<AgentObs[]> {
    const px = clients.proxmox;
    if (!px || !c) return [];
    const online = new Set(c.nodes.filter((n) => n.online).map((n) => n.name));
    const running = c.guests.filter(
      (g) => g.type === 'qemu' && g.status === 'running' && !g.template && online.has(g.node),
    );
    const one = async (g: (typeof running)[number]): Promise<AgentObs | null> => {
      const cfg = await agentConfig(px, g.node, g.vmid, signal);
      if (!cfg?.agent) return null;
      const base = {
        vmid: g.vmid,
        node: g.node,
        ...(g.name ? { name: g.name } : {}),
        ...(g.lock ? { lock: g.lock } : {}),
        optedIn: optedIn(g.vmid, [...(g.tags ?? []), ...cfg.tags], config.monitor.guests),
        ...(httpDown.has(g.vmid) ? { httpDown: true } : {}),
      };
      try {
        await px.agentPing(g.node, g.vmid, signal);
        return { ...base, responding: true };
      } catch (err) {
        // Only Proxmox's own answer (500: agent not running, VM not running) is a failed ping; a
        // network error or an unreachable node says nothing about the guest.
        if (!(err instanceof ProxmoxError && err.kind === 'api')) return null;
        return { ...base, responding: false, reason: errText(err) };
      }
    };
    // A few at a time: a big cluster must not open a socket per VM at once.
    const out: (AgentObs | null)[] = [];
    for (let i = 0; i < running.length; i += AGENT_CONCURRENCY)
      out.push(...(await Promise.all(running.slice(i, i + AGENT_CONCURRENCY).map(one))));
    return out.filter((a): a is AgentObs => a !== null);
  }
  /** `onboot` from the config of guests first seen stopped (guest.down); unreadable ones are left out. */
  async function onboot(guests: readonly GuestObs[], signal?: AbortSignal): Promise<Map<number, boolean>> {
    const px = clients.proxmox;
    const out = new Map<number, boolean>();
    if (!px) return out;
    await Promise.all(
      guests.map(async (g) => {
        try {
          out.set(g.vmid, (await px.guestConfig(g.node, g.type, g.vmid, signal)).onboot);
        } catch (err) {
          logger.warn({ vmid: g.vmid, err: errText(err) }, 'monitor: reading a guest config failed');
        }
      }),
    );
    return out;
  }
  /** Storage pools (from the cluster reading), HA state and per-guest backups; unreadable parts are left out. */
  async function pveReadings(c: ClusterReading, signal?: AbortSignal): Promise<PveRoutineObs> {
    const px = clients.proxmox!;
    const out: { -readonly [K in keyof PveRoutineObs]: PveRoutineObs[K] } = { storage: c.storage };
    try {
      out.ha = (await px.haStatus(signal)).services;
    } catch (err) {
      logger.warn({ err: errText(err) }, 'monitor: reading the HA status failed');
    }
    try {
      const guests = c.guests
        .filter((g) => !g.template && g.status !== 'unknown')
        .map((g) => ({
          type: g.type,
          id: `${g.type}/${g.vmid}`,
          vmid: g.vmid,
          node: g.node,
          status: g.status,
          name: g.name,
        }));
      out.backups = (await readBackupStates(px, guests, signal)).map((b) => ({
        vmid: b.vmid,
        node: b.node,
        ...(b.name ? { name: b.name } : {}),
        ...(b.last ? { lastCtime: b.last.ctime } : {}),
        ...(b.lastRun ? { lastRun: b.lastRun } : {}),
      }));
    } catch (err) {
      logger.warn({ err: errText(err) }, 'monitor: reading the backups failed');
    }
    return out;
  }
  /** Guests whose mapped HTTP check (httpChecks[].vmid) failed at the last routine probe. */
  const httpDown = new Set<number>();

  /** Precondition: why the guest must not be touched now (locked, or a vzdump of it running), or null. */
  async function guestLocked(vmid: number, signal?: AbortSignal): Promise<string | null> {
    const c = await cluster(signal);
    const g = c?.guests.find((x) => x.vmid === vmid);
    if (!g) return null;
    let backup = false;
    try {
      const { tasks } = await clients.proxmox!.listTasks(g.node, { source: 'active', typefilter: 'vzdump' }, signal);
      backup = tasks.some((t) => t.running && (t.id === '' || t.id === String(vmid)));
    } catch {
      backup = false;
    }
    return unresponsiveBlock({ vmid, ...(g.lock ? { lock: g.lock } : {}), backupRunning: backup });
  }

  /** Recovery check of guest.unresponsive: the incident's guest agent answers a ping. */
  async function agentResponding(incident: Incident, signal?: AbortSignal): Promise<boolean> {
    const d = incident.details;
    const node = incident.node ?? (d.node as string | undefined);
    if (!clients.proxmox || !node) return false;
    try {
      await clients.proxmox.agentPing(node, Number(incident.target), signal);
      return true;
    } catch {
      return false;
    }
  }

  return { agents, onboot, readings: pveReadings, guestLocked, agentResponding, httpDown };
}
