/**
 * Verification reads: whether an incident's target has recovered, by its runbook's recovery
 * check, read afresh through the clients. Undecidable means "not recovered".
 */
import type { VigilConfig } from '../config/types.js';
import type { InfraClients } from '../clients/index.js';
import { parseSystemctlShow } from '../clients/commands/index.js';
import type { Incident } from '../contracts/incidents.js';
import { decideFillPredicted, trendSegment } from '../util/trend.js';
import type { RecoveryCheck } from './runbooks.js';
import type { createPveReader } from './observe-pve.js';
import { probe, type Reads } from './observe-reads.js';
import type { SampleStorePort } from './ports.js';

const DAY_MS = 86_400_000;

/** decideFillPredicted's options from `monitor.forecast`. */
export function fillOptionsOf(config: VigilConfig) {
  const f = config.monitor.forecast;
  return { windowDays: f.windowDays, minR2: f.minR2, minSamples: f.minSamples, minSpanHours: f.minSpanHours };
}

/** How far back a fill trend is fitted: as much history as the horizon it predicts, at least a day. */
export function fillLookbackMs(config: VigilConfig): number {
  return Math.max(1, config.monitor.forecast.windowDays) * DAY_MS;
}

/** What the recovery checks read through. */
export interface VerifyDeps {
  config: VigilConfig;
  clients: InfraClients;
  now: () => number;
  /** Stored disk samples, for verifying `disk.fill_predicted`; without them it never verifies. */
  samples?: SampleStorePort;
  reads: Reads;
  pve: Pick<ReturnType<typeof createPveReader>, 'agentResponding'>;
}

/** Creates the recovery check of an incident. */
export function createRecoveryCheck(deps: VerifyDeps) {
  const { config, clients, reads, pve } = deps;
  const { cluster, nodeConfig, usageOverSsh } = reads;

  /** Whether an incident's target has recovered, by the runbook's check. Undecidable means no. */
  return async function recovered(check: RecoveryCheck, incident: Incident, signal?: AbortSignal): Promise<boolean> {
    const d = incident.details;
    switch (check) {
      case 'condition_cleared':
        // Notify-only conditions resolve through detection, never through a verification poll.
        return false;
      case 'agent_responding':
        return pve.agentResponding(incident, signal);
      case 'guest_running': {
        const c = await cluster(signal);
        return c?.guests.find((g) => g.vmid === Number(incident.target))?.status === 'running';
      }
      case 'node_online': {
        const c = await cluster(signal);
        if (c?.nodes.find((n) => n.name === incident.target)?.online) return true;
        return !clients.proxmox && (await reads.sshReachable(incident.target, signal));
      }
      case 'service_active': {
        const node = nodeConfig(String(d.node));
        if (!node) return false;
        try {
          const r = await reads.ssh(node, { kind: 'show', unit: String(d.unit) }, signal);
          return r.exitCode === 0 && parseSystemctlShow(r.stdout).activeState === 'active';
        } catch {
          return false;
        }
      }
      case 'http_ok': {
        const check = config.httpChecks.find((c) => c.name === incident.target);
        if (!check || !clients.http) return false;
        return (await probe(clients.http, check, signal)).ok;
      }
      case 'fill_not_predicted': {
        if (!deps.samples) return false;
        const c = await cluster(signal);
        const n =
          c?.nodes.find((x) => x.name === incident.target) ??
          (clients.proxmox ? undefined : await usageOverSsh(nodeConfig(incident.target), signal));
        if (n?.diskPercent === undefined) return false;
        // The reading is judged with the stored trend but not stored: samples stay one per routine interval.
        const at = deps.now();
        const points = [
          ...(await deps.samples.series(incident.target, 'disk.percent', at - fillLookbackMs(config))),
          { at, value: n.diskPercent },
        ];
        return !decideFillPredicted(trendSegment(points), at, fillOptionsOf(config)).raise;
      }
      case 'disk_below_threshold':
      case 'memory_below_threshold': {
        const c = await cluster(signal);
        const n =
          c?.nodes.find((x) => x.name === incident.target) ??
          (clients.proxmox ? undefined : await usageOverSsh(nodeConfig(incident.target), signal));
        const value = check === 'disk_below_threshold' ? n?.diskPercent : n?.memoryPercent;
        const limit =
          check === 'disk_below_threshold'
            ? config.monitor.thresholds.diskPercent
            : config.monitor.thresholds.memoryPercent;
        return value !== undefined && value < limit;
      }
    }
  };
}
