/**
 * Runbooks are data (docs/ARCHITECTURE.md §8.5): trigger condition, required autonomy level, preconditions, the
 * tool and how its arguments are built from the incident, how recovery is verified, cooldown, and
 * which read-only tool gives the diagnostic snapshot for reports and escalations. Config may
 * disable or tune each (`monitor.runbooks`).
 */
import type { Incident } from '../contracts/incidents.js';
import type { VigilConfig } from '../config/types.js';
import type { AutonomyLevel } from '../contracts/tiers.js';
import { CONDITIONS, type Condition } from '../contracts/conditions.js';
import { unresponsiveStep } from './detect-guests.js';

/** What must hold before acting; a failed precondition skips the attempt with its reason. */
export const PRECONDITIONS = ['node_online', 'no_backup_running', 'guest_unlocked'] as const;
export type Precondition = (typeof PRECONDITIONS)[number];

/** What "recovered" means, checked by the observer after the action. */
export const RECOVERY_CHECKS = [
  'guest_running',
  'node_online',
  'service_active',
  'http_ok',
  'disk_below_threshold',
  'memory_below_threshold',
  'fill_not_predicted',
  'agent_responding',
  'condition_cleared',
] as const;
export type RecoveryCheck = (typeof RECOVERY_CHECKS)[number];

export interface ToolCall {
  tool: string;
  args: Record<string, unknown>;
}

export interface Runbook {
  name: string;
  condition: Condition;
  description: string;
  enabled: boolean;
  /** The autonomy level the runbook declares (the gate takes the max with the tool's tier). */
  requiredLevel: AutonomyLevel;
  /** Opt in to red tools: at level 4, or at 3 for a target the operator opted in (reset-unresponsive-guest). */
  allowRed: boolean;
  /** The action for an incident; null means notify only (memory.high, or an HTTP check with no mapped service). */
  action(incident: Incident, config: VigilConfig): ToolCall | null;
  /** Run the action with `dryRun: true` first and act only if it would do something. */
  dryRunFirst: boolean;
  preconditions: readonly Precondition[];
  verify: { check: RecoveryCheck; delayMs: number; timeoutMs: number; intervalMs: number };
  cooldownMs: number;
  /** A read-only call whose output goes with escalations and notify-only reports. */
  snapshot(incident: Incident, config: VigilConfig): ToolCall | null;
}

const detail = (i: Incident, k: string) => i.details[k];
const sec = (s: number) => s * 1000;

/** A runbook that never acts: it reports with `snapshot` as its diagnostic until `check` holds. */
function notifyOnly(
  name: string,
  condition: Condition,
  description: string,
  snapshot: Runbook['snapshot'],
  check: RecoveryCheck = 'condition_cleared',
): Runbook {
  return {
    name,
    condition,
    description,
    enabled: true,
    requiredLevel: 1,
    allowRed: false,
    action: () => null,
    dryRunFirst: false,
    preconditions: [],
    verify: { check, delayMs: 0, timeoutMs: sec(1), intervalMs: sec(1) },
    cooldownMs: 0,
    snapshot,
  };
}

function guestCall(tool: string, i: Incident): ToolCall | null {
  const node = i.node ?? (detail(i, 'node') as string | undefined);
  return node ? { tool, args: { node, vmid: Number(i.target) } } : null;
}

function serviceOf(i: Incident): { node: string; service: string } | null {
  const node = detail(i, 'node');
  const unit = detail(i, 'unit') ?? detail(i, 'service');
  return typeof node === 'string' && typeof unit === 'string' ? { node, service: unit } : null;
}

function httpService(i: Incident, config: VigilConfig): { node: string; service: string } | null {
  const check = config.httpChecks.find((c) => c.name === i.target);
  return check?.node && check.service ? { node: check.node, service: check.service } : null;
}

/** The built-in runbooks, one per condition, before config tuning. */
export const BUILTIN_RUNBOOKS: readonly Runbook[] = [
  {
    name: 'restart-crashed-guest',
    condition: 'guest.crashed',
    description: 'start a guest that stopped without anyone stopping it',
    enabled: true,
    requiredLevel: 3,
    allowRed: false,
    action: (i) => guestCall('start_guest', i),
    dryRunFirst: false,
    preconditions: ['node_online', 'no_backup_running'],
    verify: { check: 'guest_running', delayMs: 0, timeoutMs: sec(120), intervalMs: sec(2) },
    cooldownMs: sec(60),
    snapshot: (i) => guestCall('get_guest_status', i),
  },
  {
    name: 'wake-unreachable-node',
    condition: 'node.unreachable',
    description: 'send Wake-on-LAN to a node that is offline and unreachable',
    enabled: true,
    requiredLevel: 3,
    allowRed: false,
    action: (i, config) =>
      config.nodes.find((n) => n.name === i.target)?.wol ? { tool: 'wake_node', args: { node: i.target } } : null,
    dryRunFirst: false,
    preconditions: [],
    verify: { check: 'node_online', delayMs: sec(5), timeoutMs: sec(300), intervalMs: sec(5) },
    cooldownMs: sec(300),
    snapshot: () => null,
  },
  {
    name: 'restart-failed-service',
    condition: 'service.failed',
    description: 'restart a failed systemd unit',
    enabled: true,
    requiredLevel: 3,
    allowRed: false,
    action: (i) => {
      const s = serviceOf(i);
      return s ? { tool: 'restart_service', args: s } : null;
    },
    dryRunFirst: false,
    preconditions: ['node_online'],
    verify: { check: 'service_active', delayMs: 0, timeoutMs: sec(30), intervalMs: sec(2) },
    cooldownMs: sec(60),
    snapshot: (i) => {
      const s = serviceOf(i);
      return s
        ? { tool: 'run_diagnostic', args: { node: s.node, diagnostic: 'journal', service: s.service, lines: 30 } }
        : null;
    },
  },
  {
    name: 'restart-http-backend',
    condition: 'http.down',
    description: 'restart the service an HTTP check is mapped to (httpChecks[].node/service)',
    enabled: true,
    requiredLevel: 3,
    allowRed: false,
    action: (i, config) => {
      const s = httpService(i, config);
      return s ? { tool: 'restart_service', args: s } : null;
    },
    dryRunFirst: false,
    preconditions: ['node_online'],
    verify: { check: 'http_ok', delayMs: sec(1), timeoutMs: sec(60), intervalMs: sec(5) },
    cooldownMs: sec(120),
    snapshot: (i) => ({ tool: 'check_http', args: { name: i.target } }),
  },
  {
    name: 'clean-full-disk',
    condition: 'disk.high',
    description:
      'free disk space: old logs, oversized logs (gzip a copy, truncate), journal, package cache (measured by a dry run first)',
    enabled: true,
    requiredLevel: 3,
    allowRed: false,
    action: (i) => ({ tool: 'cleanup_disk', args: { node: i.target } }),
    dryRunFirst: true,
    preconditions: ['node_online'],
    verify: { check: 'disk_below_threshold', delayMs: 0, timeoutMs: sec(60), intervalMs: sec(5) },
    cooldownMs: sec(3600),
    snapshot: (i) => ({ tool: 'run_diagnostic', args: { node: i.target, diagnostic: 'disk' } }),
  },
  {
    name: 'clean-filling-disk',
    condition: 'disk.fill_predicted',
    description:
      'free disk space before the trend fills it: old logs, oversized logs, journal, package cache (measured by a dry run first)',
    enabled: true,
    requiredLevel: 3,
    allowRed: false,
    action: (i) => ({ tool: 'cleanup_disk', args: { node: i.target } }),
    dryRunFirst: true,
    preconditions: ['node_online'],
    // Recovered when the usage read now, added to the stored trend, no longer predicts a fill.
    verify: { check: 'fill_not_predicted', delayMs: 0, timeoutMs: sec(60), intervalMs: sec(5) },
    cooldownMs: sec(3600),
    snapshot: (i) => ({ tool: 'forecast_disk', args: { node: i.target, metric: 'disk.percent' } }),
  },
  {
    name: 'start-down-guest',
    condition: 'guest.down',
    description: 'start a guest found stopped although it starts at boot (onboot) and no one stopped it',
    enabled: true,
    requiredLevel: 3,
    allowRed: false,
    action: (i) => guestCall('start_guest', i),
    dryRunFirst: false,
    preconditions: ['node_online', 'no_backup_running'],
    verify: { check: 'guest_running', delayMs: 0, timeoutMs: sec(120), intervalMs: sec(2) },
    cooldownMs: sec(60),
    snapshot: (i) => guestCall('get_guest_status', i),
  },
  {
    name: 'reset-unresponsive-guest',
    condition: 'guest.unresponsive',
    description:
      'reset a running VM whose guest agent (or mapped HTTP check) stopped answering; stop and start it if a reset did not help',
    enabled: true,
    // Red: the gate lets it act at level 4, or at 3 for an opted-in guest; otherwise it files an approval.
    requiredLevel: 3,
    allowRed: true,
    action: (i) => {
      const call = guestCall('reset_guest', i);
      return call && { ...call, args: { ...call.args, mode: unresponsiveStep(i.attempts) } };
    },
    dryRunFirst: false,
    preconditions: ['node_online', 'guest_unlocked', 'no_backup_running'],
    verify: { check: 'agent_responding', delayMs: sec(2), timeoutMs: sec(120), intervalMs: sec(3) },
    cooldownMs: sec(30),
    snapshot: (i) => guestCall('guest_agent_info', i),
  },
  notifyOnly(
    'report-full-storage',
    'storage.high',
    'notify with the storage list; no blind action (what to delete is for an operator)',
    (i) => (i.node ? { tool: 'list_storage', args: { node: i.node } } : null),
  ),
  notifyOnly(
    'report-ha-error',
    'ha.error',
    'notify: an HA resource in error needs an operator (disable, fix, enable); vigil never starts HA-managed guests',
    () => ({ tool: 'get_ha_status', args: {} }),
  ),
  notifyOnly('report-failed-backup', 'backup.failed', 'notify with the backups of the guest; no action', (i) => ({
    tool: 'list_backups',
    args: { vmid: Number(i.target) },
  })),
  notifyOnly(
    'report-missing-backup',
    'backup.missing',
    'notify: a required guest has no recent successful backup; no action',
    (i) => ({ tool: 'list_backups', args: { vmid: Number(i.target) } }),
  ),
  notifyOnly(
    'report-memory-pressure',
    'memory.high',
    'notify with the top processes; no blind action',
    (i) => ({ tool: 'run_diagnostic', args: { node: i.target, diagnostic: 'top_processes', count: 10 } }),
    'memory_below_threshold',
  ),
];

/** The runbooks in force: the built-ins with `monitor.runbooks` tuning applied, one per condition. */
export function runbooksFromConfig(config: VigilConfig): Map<Condition, Runbook> {
  const out = new Map<Condition, Runbook>();
  for (const condition of CONDITIONS) {
    const base = BUILTIN_RUNBOOKS.find((r) => r.condition === condition)!;
    const t = config.monitor.runbooks[condition];
    out.set(condition, {
      ...base,
      enabled: t?.enabled ?? base.enabled,
      cooldownMs: t?.cooldownSeconds !== undefined ? sec(t.cooldownSeconds) : base.cooldownMs,
      verify: {
        ...base.verify,
        timeoutMs: t?.verifyTimeoutSeconds !== undefined ? sec(t.verifyTimeoutSeconds) : base.verify.timeoutMs,
        intervalMs: t?.verifyIntervalSeconds !== undefined ? sec(t.verifyIntervalSeconds) : base.verify.intervalMs,
        // A tuned interval shorter than the built-in delay would be pointless to wait out.
        delayMs:
          t?.verifyIntervalSeconds !== undefined
            ? Math.min(base.verify.delayMs, sec(t.verifyIntervalSeconds))
            : base.verify.delayMs,
      },
    });
  }
  return out;
}
