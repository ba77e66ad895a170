/**
 * `vigil once [--dry-run]`: one full monitor cycle (critical, then routine) by hand, printing what
 * was found and what was done — or, with --dry-run, what would be done, writing nothing at all.
 * Without a previous observation a guest counts as crashed only when its newest Proxmox power task
 * is a start (see src/monitor/detect.ts).
 */
import type { Core } from '../core.js';
import { createMonitor, type CycleReport } from '../monitor/monitor.js';
import type { Outcome } from '../monitor/remediate.js';
import type { Notifier, SampleStorePort } from '../monitor/ports.js';
import { safeNotifier } from '../monitor/daemon.js';

export interface OnceIo {
  out(line: string): void;
}

const describeCall = (tool: string, args: Record<string, unknown>) => `${tool} ${JSON.stringify(args)}`;

function outcomeLine(o: Outcome): string {
  if (o.verdict === 'acted')
    return `${o.key}: ${describeCall(o.tool, o.args)} → ${o.result}${o.detail ? ` (${o.detail.split('\n')[0]})` : ''}`;
  if (o.verdict === 'escalated') return `${o.key}: escalated — ${o.detail}`;
  return `${o.key}: no action (${o.reason}: ${o.detail})`;
}

/** Runs the cycle over `core` and prints the report; returns the exit code (1 when an action failed). */
export async function runOnce(
  core: Core,
  opts: { dryRun: boolean; notifier?: Notifier; samples?: SampleStorePort },
  io: OnceIo,
): Promise<number> {
  const notifier =
    opts.notifier &&
    safeNotifier(opts.notifier, (err) =>
      core.logger.error({ err: String(err) }, 'once: queuing a notification failed'),
    );
  const monitor = createMonitor({
    config: core.config,
    stores: core.stores,
    bus: core.bus,
    pipeline: core.pipeline,
    clients: core.deps.clients,
    logger: core.logger,
    now: core.deps.now,
    planOnly: opts.dryRun,
    ...(notifier && !opts.dryRun ? { notifier } : {}),
    ...(opts.samples ? { samples: opts.samples } : {}),
  });
  if (!opts.dryRun) monitor.recover();
  // One after the other: the routine pass's actions must not meet the critical pass's lease.
  const reports: CycleReport[] = [];
  const outcomes: Outcome[] = [];
  for (const kind of ['critical', 'routine'] as const) {
    const r = await monitor.runCycle(kind);
    reports.push(r);
    outcomes.push(...(await r.settled));
  }

  const findings = reports.flatMap((r) => r.findings);
  const suppressed = reports.flatMap((r) => r.suppressed);
  io.out(
    `vigil once${opts.dryRun ? ' --dry-run (nothing is written or changed)' : ''}: ${findings.length} problem(s) found`,
  );
  for (const f of findings) io.out(`  ${f.key}: ${f.summary}`);
  for (const f of suppressed) io.out(`  ${f.key}: not opened, its node ${f.node} is down`);
  if (opts.dryRun) {
    const would = reports.flatMap((r) => r.wouldDo);
    io.out(would.length ? 'would do:' : 'would do nothing');
    for (const w of would) {
      const what =
        w.decision.verdict === 'act' && w.call
          ? `would call ${describeCall(w.call.tool, w.call.args)}`
          : w.decision.verdict === 'escalate'
            ? `would escalate (${w.decision.detail})`
            : w.decision.verdict === 'skip'
              ? `no action (${w.decision.reason}: ${w.decision.detail})`
              : 'no action';
      io.out(`  ${w.key}: ${what}`);
    }
    return 0;
  }
  const opened = reports.flatMap((r) => r.opened);
  const resolved = reports.flatMap((r) => r.resolved);
  if (opened.length) io.out(`opened: ${opened.map((i) => i.key).join(', ')}`);
  if (resolved.length) io.out(`resolved (seen healthy): ${resolved.map((i) => i.key).join(', ')}`);
  io.out(outcomes.length ? 'done:' : 'did nothing');
  for (const o of outcomes) io.out(`  ${outcomeLine(o)}`);
  return outcomes.some(
    (o) =>
      o.verdict === 'acted' && o.result !== 'succeeded' && o.result !== 'pending_approval' && o.result !== 'dry_run',
  )
    ? 1
    : 0;
}
