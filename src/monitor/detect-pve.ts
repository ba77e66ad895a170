/**
 * Routine detection of Proxmox-side conditions that call for a person, not an action, as a pure
 * function of one observation: `storage.high` (a storage pool from /cluster/resources at or above
 * the threshold; a directory pool on a node's root filesystem is left to `disk.high`, which watches
 * the same filesystem and cleans it, so one full disk raises one incident), `ha.error` (the HA manager put a resource in `error`), `backup.failed` (the newest
 * vzdump that covered a guest failed) and `backup.missing` (a guest `monitor.backups.required`
 * names has no archive younger than `maxAgeDays`). Their runbooks notify and never act.
 */
import { incidentKey } from '../contracts/conditions.js';
import type { Finding } from '../contracts/incidents.js';

export interface PveRoutineObs {
  storage?: readonly {
    node: string;
    storage: string;
    status: string;
    shared: boolean;
    usedPercent?: number;
    /** On the node's root filesystem: disk.high covers it (and cleans it), so no storage.high. */
    onRootFs?: boolean;
  }[];
  /** HA-managed guests and their CRM state; absent when HA status could not be read. */
  ha?: readonly { sid: string; vmid: number; node?: string; crmState?: string }[];
  /** Per-guest backup state; absent when it could not be read. */
  backups?: readonly {
    vmid: number;
    node: string;
    name?: string;
    /** Epoch seconds of the newest archive. */
    lastCtime?: number;
    lastRun?: { ok: boolean; exitstatus: string; error?: string; starttime: number; upid: string };
  }[];
}

export interface PveRoutineOpts {
  storagePercent: number;
  backupRequired: readonly number[];
  backupMaxAgeDays: number;
  /** Milliseconds since the epoch. */
  now: number;
  openKeys: ReadonlySet<string>;
  /** Nodes offline or unreachable: nothing opens for them. */
  downNodes: ReadonlySet<string>;
}

/** Findings and healthy keys for storage pools, HA errors and backups. */
export function detectPveRoutine(obs: PveRoutineObs, o: PveRoutineOpts): { findings: Finding[]; healthy: Set<string> } {
  const findings: Finding[] = [];
  const healthy = new Set<string>();
  const mark = (key: string) => o.openKeys.has(key) && healthy.add(key);

  const seenShared = new Set<string>();
  for (const s of obs.storage ?? []) {
    if (s.usedPercent === undefined || s.status !== 'available' || o.downNodes.has(s.node)) continue;
    // A shared storage shows once per node with the same figures: one incident for it.
    const target = s.shared ? s.storage : `${s.node}/${s.storage}`;
    if (seenShared.has(target)) continue;
    seenShared.add(target);
    const key = incidentKey('storage.high', target);
    if (s.onRootFs || s.usedPercent < o.storagePercent) {
      mark(key);
      continue;
    }
    findings.push({
      key,
      condition: 'storage.high',
      target,
      node: s.node,
      severity: 'warning',
      summary: `storage ${s.storage}${s.shared ? '' : ` on ${s.node}`} is ${s.usedPercent.toFixed(1)}% used (threshold ${o.storagePercent}%)`,
      details: { node: s.node, storage: s.storage, percent: s.usedPercent, threshold: o.storagePercent },
    });
  }

  for (const h of obs.ha ?? []) {
    const key = incidentKey('ha.error', String(h.vmid));
    if (h.crmState !== 'error') {
      mark(key);
      continue;
    }
    findings.push({
      key,
      condition: 'ha.error',
      target: String(h.vmid),
      node: h.node ?? null,
      severity: 'critical',
      summary: `HA manager put ${h.sid} in state error: disable it, fix the cause (a lock, a failed start), then enable it`,
      details: { sid: h.sid, vmid: h.vmid, node: h.node },
    });
  }

  const maxAgeSec = o.backupMaxAgeDays * 86_400;
  for (const b of obs.backups ?? []) {
    if (o.downNodes.has(b.node)) continue;
    const failedKey = incidentKey('backup.failed', String(b.vmid));
    if (b.lastRun && !b.lastRun.ok)
      findings.push({
        key: failedKey,
        condition: 'backup.failed',
        target: String(b.vmid),
        node: b.node,
        severity: 'warning',
        summary: `the last backup of ${b.vmid}${b.name ? ` '${b.name}'` : ''} failed: ${b.lastRun.error ?? b.lastRun.exitstatus}`,
        details: {
          vmid: b.vmid,
          node: b.node,
          error: b.lastRun.error,
          exitstatus: b.lastRun.exitstatus,
          upid: b.lastRun.upid,
        },
      });
    else if (b.lastRun?.ok) mark(failedKey);

    if (!o.backupRequired.includes(b.vmid)) continue;
    const missingKey = incidentKey('backup.missing', String(b.vmid));
    const ageSec = b.lastCtime === undefined ? undefined : o.now / 1000 - b.lastCtime;
    if (ageSec !== undefined && ageSec <= maxAgeSec) {
      mark(missingKey);
      continue;
    }
    findings.push({
      key: missingKey,
      condition: 'backup.missing',
      target: String(b.vmid),
      node: b.node,
      severity: 'warning',
      summary:
        ageSec === undefined
          ? `${b.vmid}${b.name ? ` '${b.name}'` : ''} has no backup at all (required within ${o.backupMaxAgeDays} days)`
          : `the newest backup of ${b.vmid}${b.name ? ` '${b.name}'` : ''} is ${(ageSec / 86_400).toFixed(1)} days old (required within ${o.backupMaxAgeDays})`,
      details: { vmid: b.vmid, node: b.node, lastCtime: b.lastCtime, maxAgeDays: o.backupMaxAgeDays },
    });
  }
  return { findings, healthy };
}
