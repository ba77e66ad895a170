/**
 * The routine schedule's detection as a pure function: services, HTTP checks (N consecutive
 * failures), disk and memory of online nodes, and the Proxmox-side conditions of detect-pve.ts.
 * Same contract as detectCritical (detect.ts): previous state + one observation → the next state,
 * the findings that hold now and the open incidents seen healthy.
 */
import { incidentKey, type Condition } from '../contracts/conditions.js';
import type { Finding } from '../contracts/incidents.js';
import type { DetectResult, NodeObs } from './detect.js';
import { detectPveRoutine, type PveRoutineObs } from './detect-pve.js';

export interface RoutineObservation {
  /** From the cluster (or null when it could not be read). */
  nodes: NodeObs[] | null;
  /** node → unit → systemd ActiveState; a node missing here could not be read. */
  services: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** check name → ok, for the checks probed; with the node/service it maps to. */
  http: ReadonlyMap<string, { ok: boolean; error?: string; node?: string; service?: string }>;
  /** Storage pools, HA state and backups (absent without Proxmox). */
  pve?: PveRoutineObs;
}

export interface RoutineState {
  httpFailures: ReadonlyMap<string, number>;
}

export const EMPTY_ROUTINE: RoutineState = { httpFailures: new Map() };

/** The routine schedule's detection: services, HTTP checks, disk and memory. */
export function detectRoutine(
  prev: RoutineState,
  obs: RoutineObservation,
  opts: {
    diskPercent: number;
    memoryPercent: number;
    httpFailures: number;
    openKeys: ReadonlySet<string>;
    /** storage.high, backup.missing settings and the time, for the Proxmox-side conditions. */
    pve?: { storagePercent: number; backupRequired: readonly number[]; backupMaxAgeDays: number; now: number };
  },
): DetectResult<RoutineState> {
  const findings: Finding[] = [];
  const healthy = new Set<string>();
  const downNodes = new Set<string>();
  const mark = (key: string) => opts.openKeys.has(key) && healthy.add(key);

  for (const n of obs.nodes ?? []) {
    if (!n.online) {
      downNodes.add(n.name);
      continue;
    }
    const usage: [Condition, number | undefined, number, string][] = [
      ['disk.high', n.diskPercent, opts.diskPercent, 'root disk'],
      ['memory.high', n.memoryPercent, opts.memoryPercent, 'memory'],
    ];
    for (const [condition, value, limit, what] of usage) {
      if (value === undefined) continue;
      const key = incidentKey(condition, n.name);
      if (value < limit) {
        mark(key);
        continue;
      }
      findings.push({
        key,
        condition,
        target: n.name,
        node: n.name,
        severity: 'warning',
        summary: `${what} of ${n.name} is ${value.toFixed(1)}% used (threshold ${limit}%)`,
        details: { node: n.name, percent: value, threshold: limit },
      });
    }
  }

  for (const [node, units] of obs.services) {
    for (const [unit, activeState] of units) {
      const key = incidentKey('service.failed', `${node}/${unit}`);
      if (activeState !== 'failed') {
        mark(key);
        continue;
      }
      findings.push({
        key,
        condition: 'service.failed',
        target: `${node}/${unit}`,
        node,
        severity: 'warning',
        summary: `${unit} on ${node} has failed`,
        details: { node, unit },
      });
    }
  }

  const httpFailures = new Map(prev.httpFailures);
  for (const [name, r] of obs.http) {
    const key = incidentKey('http.down', name);
    const fails = r.ok ? 0 : (httpFailures.get(name) ?? 0) + 1;
    httpFailures.set(name, fails);
    if (r.ok) {
      mark(key);
      continue;
    }
    if (fails >= opts.httpFailures) {
      findings.push({
        key,
        condition: 'http.down',
        target: name,
        node: r.node ?? null,
        severity: 'warning',
        summary: `HTTP check ${name} failed ${fails} times in a row${r.error ? `: ${r.error}` : ''}`,
        details: { check: name, failures: fails, error: r.error, node: r.node, service: r.service },
      });
    }
  }
  if (obs.pve && opts.pve) {
    const pve = detectPveRoutine(obs.pve, { ...opts.pve, openKeys: opts.openKeys, downNodes });
    findings.push(...pve.findings);
    for (const k of pve.healthy) healthy.add(k);
  }
  return { state: { httpFailures }, findings, healthy, downNodes };
}
