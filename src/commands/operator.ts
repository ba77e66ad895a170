/**
 * The one-shot operator commands: init, status, killswitch, approve/deny, audit verify, once.
 * Each opens what it needs, acts through the pipeline (as the cli operator) or a store, and
 * returns its exit code.
 */
import { existsSync } from 'node:fs';
import { resolveConfigPath, writeExampleConfig } from '../config/index.js';
import { heartbeatIntervalMs } from '../core.js';
import { describeRange } from '../db/audit-chain.js';
import { observedMonitorStatus } from '../monitor/status.js';
import { createNotifications } from '../notify/index.js';
import { configExists, isApprovalId, malformedApprovalId } from './friendly.js';
import { runOnce } from './once.js';
import { haStatusOf } from './status-ha.js';
import { UsageError } from './table.js';
import {
  CLI_OPERATOR,
  confirmOnTty,
  fail,
  openConfig,
  openCore,
  out,
  report,
  str,
  withCore,
  type Values,
} from './cli-kit.js';

/** `vigil init`: writes the example config where `--config` (or the default) points, never over one. */
export function init(v: Values): number {
  const file = resolveConfigPath(str(v, 'config'));
  if (existsSync(file)) {
    fail(configExists(file));
    return 2;
  }
  writeExampleConfig(file);
  out(`wrote ${file}`);
  out(
    'next: export VIGIL_ASSISTANT_TOKEN and VIGIL_OPERATOR_TOKEN (two different values of 16+ characters), then run "vigil serve".',
  );
  return 0;
}

/** `vigil status`: the monitor's status as the shared database shows it, then the HA lines. */
export function status(v: Values): Promise<number> {
  return withCore(openCore(openConfig(v), v), async (core) => {
    // The monitor runs in the daemon; its runs in the shared database say whether it is alive.
    core.deps.monitorStatus = async () =>
      observedMonitorStatus({ store: core.stores.monitor, config: core.config, now: core.deps.now });
    const code = report(await core.pipeline.executeTool('get_monitor_status', {}, CLI_OPERATOR));
    // Which engine, and on a shared PostgreSQL which daemon leads and when the standby last beat.
    for (const line of await haStatusOf(core.ha, heartbeatIntervalMs(core.config), core.deps.now)) out(line);
    return code;
  });
}

/** `vigil killswitch on|off`: releasing it is red, so it needs `--yes` or a yes on the terminal. */
export async function killswitch(v: Values, [state]: string[]): Promise<number> {
  if (state !== 'on' && state !== 'off')
    throw new UsageError(`killswitch: expected "on" or "off", got "${state}"; run "vigil help killswitch"`);
  const scope = str(v, 'scope');
  if (scope !== undefined && scope !== 'autonomy' && scope !== 'all')
    throw new UsageError(`--scope: expected "autonomy" or "all", got "${scope}"`);
  const config = openConfig(v);
  if (state === 'off' && v.yes !== true && !(await confirmOnTty('Release the kill switch?'))) {
    fail('not confirmed: releasing the kill switch is a red action; run again with --yes or answer y');
    return 1;
  }
  const reason = str(v, 'reason');
  return withCore(openCore(config, v), async (core) =>
    report(
      await core.pipeline.executeTool(
        'set_kill_switch',
        { active: state === 'on', ...(scope ? { scope } : {}), ...(reason ? { reason } : {}) },
        CLI_OPERATOR,
      ),
    ),
  );
}

/** The handler of `vigil approve <id>` or `vigil deny <id>`, by `verdict`. */
export function decide(verdict: 'approve' | 'deny') {
  return (v: Values, [id]: string[]): Promise<number> => {
    if (!isApprovalId(id!)) throw new UsageError(malformedApprovalId(verdict, id!));
    return withCore(openCore(openConfig(v), v), async (core) =>
      report(await core.pipeline.executeTool('approve_action', { id, verdict }, CLI_OPERATOR)),
    );
  };
}

/** `vigil audit verify`: walks the hash chain; exit 1 and the broken ranges when it does not hold. */
export function audit(v: Values, [what]: string[]): Promise<number> {
  if (what !== 'verify') throw new UsageError(`audit: expected "audit verify", got "audit ${what}"`);
  return withCore(openCore(openConfig(v), v), async (core) => {
    const result = await core.stores.audit.verify();
    if (result.ok) {
      out(`audit log intact: ${result.rows} rows, hash chain verified`);
      return 0;
    }
    fail(
      `audit log BROKEN: ${result.badRows} bad row(s) in ${result.ranges.length + result.rangesOmitted} range(s), ` +
        `first at row ${result.firstBadId ?? '?'} (${result.rows} rows read)`,
    );
    if (result.ranges.length === 0) fail(`  ${result.reason}`);
    for (const range of result.ranges) fail(`  ${describeRange(range)}`);
    if (result.rangesOmitted > 0) fail(`  … and ${result.rangesOmitted} more range(s)`);
    return 1;
  });
}

/** `vigil once [--dry-run]`: one critical and one routine cycle by hand, then one outbox pass. */
export function once(v: Values): Promise<number> {
  const dryRun = v['dry-run'] === true;
  // On PostgreSQL it acts only as the leader (no daemon leads meanwhile): it competes like a daemon.
  return withCore(openCore(openConfig(v), v, true, !dryRun), async (core) => {
    const notifications = createNotifications({
      config: core.config.notifications,
      outbox: core.stores.outbox,
      logger: core.logger,
      now: core.deps.now,
      bus: core.bus,
      redact: core.redact,
    });
    const code = await runOnce(
      core,
      { dryRun, notifier: notifications.notifier, samples: core.stores.samples },
      { out },
    );
    if (!dryRun) await notifications.worker.runOnce();
    return code;
  });
}
