/**
 * Detection and guardrail decisions for a running VM that stopped answering (`guest.unresponsive`),
 * as pure functions: consecutive failed guest-agent pings (or failures of the HTTP check mapped to
 * the guest while it runs), never counted while the guest is locked (a backup's fs-freeze silences
 * the agent), and the decisions the red runbook lives by — it acts alone only at autonomy level 4
 * (below, the gate files an approval), and never on a locked guest or while a vzdump runs.
 */
import { incidentKey } from '../contracts/conditions.js';
import type { Finding } from '../contracts/incidents.js';

/** One agent reading of a running QEMU guest with an agent configured. */
export interface AgentObs {
  vmid: number;
  node: string;
  name?: string;
  responding: boolean;
  /** Proxmox's reason when it did not answer. */
  reason?: string;
  lock?: string;
  /** The operator opted the guest in (config list or Proxmox tag). */
  optedIn: boolean;
  /** A mapped HTTP check failed this cycle (counts like a failed ping). */
  httpDown?: boolean;
}

export interface UnresponsiveResult {
  failures: Map<number, number>;
  findings: Finding[];
  healthy: Set<string>;
}

/**
 * Counts consecutive failures per guest and opens `guest.unresponsive` at `threshold`. A locked
 * guest keeps its count unchanged (no new failure, no recovery); a guest not observed (stopped,
 * no agent, node offline) drops its count. An answering agent with no HTTP failure is healthy.
 */
export function detectUnresponsive(
  prev: ReadonlyMap<number, number>,
  agents: readonly AgentObs[],
  opts: { threshold: number; openKeys: ReadonlySet<string> },
): UnresponsiveResult {
  const failures = new Map<number, number>();
  const findings: Finding[] = [];
  const healthy = new Set<string>();
  for (const a of agents) {
    const key = incidentKey('guest.unresponsive', String(a.vmid));
    const before = prev.get(a.vmid) ?? 0;
    if (a.lock) {
      failures.set(a.vmid, before);
      continue;
    }
    const failed = !a.responding || a.httpDown === true;
    if (!failed) {
      failures.set(a.vmid, 0);
      if (opts.openKeys.has(key)) healthy.add(key);
      continue;
    }
    const count = before + 1;
    failures.set(a.vmid, count);
    if (count < opts.threshold) continue;
    const why = a.responding
      ? 'its mapped HTTP check fails'
      : `its guest agent does not answer (${a.reason ?? 'no reply'})`;
    findings.push({
      key,
      condition: 'guest.unresponsive',
      target: String(a.vmid),
      node: a.node,
      severity: 'critical',
      summary: `VM ${a.vmid}${a.name ? ` '${a.name}'` : ''} on ${a.node} runs but ${why}, ${count} times in a row`,
      details: { vmid: a.vmid, node: a.node, type: 'qemu', name: a.name, failures: count, optedIn: a.optedIn },
    });
  }
  return { failures, findings, healthy };
}

/** Whether the operator opted a guest in to automatic restarts: listed in config, or tagged. */
export function optedIn(
  vmid: number,
  tags: readonly string[],
  cfg: { autoRestart: readonly number[]; autoRestartTag: string },
): boolean {
  return cfg.autoRestart.includes(vmid) || tags.some((t) => t.toLowerCase() === cfg.autoRestartTag.toLowerCase());
}

/** Why the unresponsive runbook must not touch the guest now, or null: a lock (backup, snapshot, migrate, …) or a running vzdump. */
export function unresponsiveBlock(g: { vmid: number; lock?: string; backupRunning: boolean }): string | null {
  if (g.lock) return `VM ${g.vmid} is locked (${g.lock}); it is not reset while Proxmox holds it`;
  if (g.backupRunning) return `a backup (vzdump) is running; VM ${g.vmid} is not reset meanwhile`;
  return null;
}

/** The runbook's step for its next attempt: a reset first, then a stop and start. */
export function unresponsiveStep(attempts: number): 'reset' | 'stop_start' {
  return attempts === 0 ? 'reset' : 'stop_start';
}
