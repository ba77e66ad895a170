/**
 * Detection as pure functions: previous state + one observation → the next state, the conditions
 * that hold now, and which open incidents were seen healthy. No I/O and no clock of their own, so
 * property tests and `vigil once` drive them the same way the daemon does.
 *
 * Rules (docs/ARCHITECTURE.md §8.3):
 *  - guest.crashed: a guest seen running is now stopped, its node is online, it is not HA-managed
 *    (Proxmox HA restarts those itself), not a template, and nobody stopped it on purpose — neither
 *    through vigil (a stop/shutdown in the audit log) nor through Proxmox (its newest power task is
 *    a stop or shutdown; a crash leaves no task). A guest seen for the first time already stopped
 *    counts as crashed only when its newest power task is a start: then someone meant it to run.
 *  - node.unreachable: offline in the cluster and SSH fails, on N consecutive polls.
 *  - service.failed, http.down (N consecutive failures), disk.high, memory.high: see detect-routine.ts.
 *  - A node that is offline or unreachable raises nothing for its guests, services, disk or memory;
 *    the incident planner applies that to openings only (never to resolutions).
 */
import { incidentKey } from '../contracts/conditions.js';
import type { Finding } from '../contracts/incidents.js';
import { detectUnresponsive, type AgentObs } from './detect-guests.js';

export interface NodeObs {
  name: string;
  online: boolean;
  diskPercent?: number;
  memoryPercent?: number;
}

export interface GuestObs {
  vmid: number;
  node: string;
  type: 'qemu' | 'lxc';
  name?: string;
  /** running, stopped, or unknown while its node is offline. */
  status: string;
  ha: boolean;
  template: boolean;
  lock?: string;
}

/** What the newest Proxmox power task of a guest says: stop/shutdown, start, no task, or could not read. */
export type StopEvidence = 'stop' | 'start' | 'none' | 'unknown';

export interface CriticalObservation {
  /** null when the Proxmox API could not be read (or none is configured). */
  cluster: { nodes: NodeObs[]; guests: GuestObs[] } | null;
  /** SSH reachability of the nodes probed (those offline in the cluster, or all in SSH-only setups). */
  sshReachable: ReadonlyMap<string, boolean>;
  /** Nodes to judge by SSH alone (no Proxmox configured). */
  sshOnlyNodes: readonly string[];
  /** Power-task evidence for the crash candidates. */
  evidence: ReadonlyMap<number, StopEvidence>;
  /** vmid → time of a stop/shutdown made through vigil recently. */
  stopCalls: ReadonlyMap<number, number>;
  /** `onboot` of guests first seen stopped (guest.down); absent or missing: unknown. */
  onboot?: ReadonlyMap<number, boolean>;
  /** Guest-agent readings of running VMs with an agent (guest.unresponsive); absent: none taken. */
  agents?: readonly AgentObs[];
}

export interface CriticalState {
  /** Last known run state per guest (`unknown` is never stored). */
  guests: ReadonlyMap<number, 'running' | 'stopped'>;
  /** Guests judged crashed; they stay so until seen running (or gone). */
  crashed: ReadonlySet<number>;
  /** Consecutive polls each node was offline and unreachable. */
  nodeDownPolls: ReadonlyMap<string, number>;
  /** Consecutive failed agent pings per running VM. */
  agentFailures?: ReadonlyMap<number, number>;
}

export const EMPTY_CRITICAL: CriticalState = { guests: new Map(), crashed: new Set(), nodeDownPolls: new Map() };

export interface DetectResult<S> {
  state: S;
  findings: Finding[];
  /** Keys (of those asked about) whose target was seen healthy: their incidents resolve. */
  healthy: Set<string>;
  /** Nodes offline or unreachable now: nothing opens for what runs on them. */
  downNodes: Set<string>;
}

/** Guests whose evidence must be read before detectCritical: seen running and now stopped, or first seen stopped. */
export function crashCandidates(
  prev: CriticalState,
  guests: readonly GuestObs[],
  nodesOnline: ReadonlySet<string>,
): GuestObs[] {
  return guests.filter((g) => {
    if (g.status !== 'stopped' || g.ha || g.template || !nodesOnline.has(g.node) || prev.crashed.has(g.vmid))
      return false;
    const before = prev.guests.get(g.vmid);
    return before === undefined || before === 'running';
  });
}

const guestLabel = (g: GuestObs) => `${g.type === 'qemu' ? 'VM' : 'CT'} ${g.vmid}${g.name ? ` '${g.name}'` : ''}`;

/** The critical schedule's detection: guests and nodes. `openKeys` are the keys of active incidents. */
export function detectCritical(
  prev: CriticalState,
  obs: CriticalObservation,
  opts: { unreachablePolls: number; openKeys: ReadonlySet<string>; agentFailures?: number },
): DetectResult<CriticalState> {
  const findings: Finding[] = [];
  const healthy = new Set<string>();
  const downNodes = new Set<string>();
  const nodeDownPolls = new Map(prev.nodeDownPolls);

  const judgeNode = (name: string, down: boolean) => {
    const polls = down ? (nodeDownPolls.get(name) ?? 0) + 1 : 0;
    nodeDownPolls.set(name, polls);
    const key = incidentKey('node.unreachable', name);
    if (!down) {
      if (opts.openKeys.has(key)) healthy.add(key);
      return;
    }
    downNodes.add(name);
    if (polls >= opts.unreachablePolls) {
      findings.push({
        key,
        condition: 'node.unreachable',
        target: name,
        node: name,
        severity: 'critical',
        summary: `node ${name} is offline and does not answer SSH (${polls} polls)`,
        details: { polls },
      });
    }
  };

  if (obs.cluster) {
    for (const n of obs.cluster.nodes) judgeNode(n.name, !n.online && obs.sshReachable.get(n.name) !== true);
    // Offline in the cluster but still answering SSH: not unreachable, yet its guests cannot be judged.
    for (const n of obs.cluster.nodes) if (!n.online) downNodes.add(n.name);
  }
  for (const name of obs.sshOnlyNodes) judgeNode(name, obs.sshReachable.get(name) !== true);

  if (!obs.cluster) return { state: { ...prev, nodeDownPolls }, findings, healthy, downNodes };

  const online = new Set(obs.cluster.nodes.filter((n) => n.online).map((n) => n.name));
  const guests = new Map(prev.guests);
  const crashed = new Set<number>();
  const seen = new Set<number>();
  for (const g of obs.cluster.guests) {
    seen.add(g.vmid);
    const key = incidentKey('guest.crashed', String(g.vmid));
    const downKey = incidentKey('guest.down', String(g.vmid));
    if (g.status !== 'running' && g.status !== 'stopped') {
      // Unknown (node offline): forget what we knew, keep a crash already judged, judge nothing new.
      guests.delete(g.vmid);
      if (prev.crashed.has(g.vmid)) crashed.add(g.vmid);
      continue;
    }
    if (g.status === 'running' || g.ha || g.template) {
      guests.set(g.vmid, g.status);
      if (opts.openKeys.has(key)) healthy.add(key);
      if (opts.openKeys.has(downKey)) healthy.add(downKey);
      continue;
    }
    const before = prev.guests.get(g.vmid);
    let isCrash = prev.crashed.has(g.vmid);
    let down = false;
    if (!isCrash && online.has(g.node) && (before === undefined || before === 'running')) {
      const ev = obs.evidence.get(g.vmid) ?? 'unknown';
      if (ev === 'unknown') continue; // could not tell: keep the old state and ask again next poll
      const stoppedByVigil = obs.stopCalls.has(g.vmid);
      isCrash = !stoppedByVigil && (before === 'running' ? ev !== 'stop' : ev === 'start');
      // First seen stopped with no power task at all: down if its config says it starts at boot.
      down = !isCrash && !stoppedByVigil && before === undefined && ev === 'none' && obs.onboot?.get(g.vmid) === true;
    }
    guests.set(g.vmid, 'stopped');
    if (down) {
      // Not added to `crashed`: judged once, when first seen; its incident stays open until it runs.
      findings.push({
        key: downKey,
        condition: 'guest.down',
        target: String(g.vmid),
        node: g.node,
        severity: 'critical',
        summary: `${guestLabel(g)} on ${g.node} is stopped although it starts at boot (onboot), and no one stopped it`,
        details: { vmid: g.vmid, node: g.node, type: g.type, name: g.name, lock: g.lock },
      });
      continue;
    }
    if (!isCrash) continue;
    crashed.add(g.vmid);
    findings.push({
      key,
      condition: 'guest.crashed',
      target: String(g.vmid),
      node: g.node,
      severity: 'critical',
      summary: `${guestLabel(g)} on ${g.node} stopped without anyone stopping it`,
      details: { vmid: g.vmid, node: g.node, type: g.type, name: g.name, lock: g.lock },
    });
  }
  // A guest that left the cluster (deleted) is no longer crashed.
  for (const vmid of prev.guests.keys()) if (!seen.has(vmid)) guests.delete(vmid);
  for (const key of opts.openKeys) {
    const [cond, target] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    if ((cond === 'guest.crashed' || cond === 'guest.down') && !seen.has(Number(target))) healthy.add(key);
  }
  const agents = detectUnresponsive(prev.agentFailures ?? new Map(), obs.agents ?? [], {
    threshold: opts.agentFailures ?? 3,
    openKeys: opts.openKeys,
  });
  findings.push(...agents.findings.filter((f) => !downNodes.has(f.node ?? '')));
  for (const k of agents.healthy) healthy.add(k);
  // A hung guest that stopped (or left the cluster) is no longer unresponsive: guest.crashed or
  // guest.down judge it now, and a reset of a stopped VM could only fail.
  for (const key of opts.openKeys) {
    if (!key.startsWith('guest.unresponsive:')) continue;
    const g = obs.cluster.guests.find((x) => String(x.vmid) === key.slice('guest.unresponsive:'.length));
    if (!g || g.status === 'stopped') healthy.add(key);
  }
  return {
    state: { guests, crashed, nodeDownPolls, agentFailures: agents.failures },
    findings,
    healthy,
    downNodes,
  };
}
