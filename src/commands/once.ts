/**
 * `vigil once [--dry-run]`: one full monitor cycle (critical, then routine) by hand. It prints,
 * per problem — found in this run or still open from an earlier one — what it is, what vigil did
 * or why it did not, and what happens next; with --dry-run what would be done, writing nothing.
 * Without a previous observation a guest counts as crashed only when its newest Proxmox power task
 * is a start (see src/monitor/detect.ts).
 */
import type { Core } from '../core.js';
import { createMonitor, type CycleReport, type Monitor } from '../monitor/monitor.js';
import { guardInputFor, type Outcome } from '../monitor/remediate.js';
import { decideRemediation } from '../monitor/guardrails.js';
import type { Notifier, SampleStorePort } from '../monitor/ports.js';
import { safeNotifier } from '../monitor/daemon.js';
import { holderOf } from '../monitor/status.js';
import { clock, explainOutcome, type OnceFacts } from './once-explain.js';

export interface OnceIo {
  out(line: string): void;
}

type Incident = Awaited<ReturnType<Monitor['store']['activeIncidents']>>[number];

const describeCall = (tool: string, args: Record<string, unknown>) => `${tool} ${JSON.stringify(args)}`;

/** Reads back, after the cycle, what the explanation of one outcome needs. */
async function factsFor(core: Core, monitor: Monitor, key: string): Promise<OnceFacts> {
  const now = core.deps.now();
  const { preferences, approvals } = core.stores;
  const ks = await preferences.killSwitch();
  const facts: OnceFacts = {
    maxConcurrentNodes: core.config.monitor.guardrails.maxConcurrentNodes,
    autonomyLevel: await preferences.autonomyLevel(),
    killSwitch: { active: ks.active, scope: ks.scope },
  };
  const incident = (await monitor.store.activeIncidents()).find((i) => i.key === key);
  if (!incident) return facts;
  facts.status = incident.status;
  if (incident.approvalId) {
    const a = await approvals.get(incident.approvalId, now);
    if (a) facts.approval = { id: a.id, expiresAt: a.expiresAt, status: a.status };
  }
  const rb = monitor.runbooks.get(incident.condition);
  if (rb) {
    const decision = decideRemediation(
      await guardInputFor(
        { config: core.config, store: monitor.store, stores: core.stores, now: core.deps.now },
        incident,
        rb,
        rb.action(incident, core.config),
      ),
    );
    if (decision.verdict === 'skip' && decision.retryAt !== undefined) facts.retryAt = decision.retryAt;
  }
  return facts;
}

/** Every problem the run dealt with, in order: those found now, then those open from before. */
function problems(reports: CycleReport[], before: readonly Incident[], outcomes: readonly Outcome[]) {
  const list = new Map<string, { summary: string; since?: number }>();
  for (const f of reports.flatMap((r) => r.findings)) list.set(f.key, { summary: f.summary });
  for (const i of before) if (!list.has(i.key)) list.set(i.key, { summary: i.summary, since: i.firstSeen });
  for (const o of outcomes) if (!list.has(o.key)) list.set(o.key, { summary: '(opened by another process)' });
  return list;
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
  // Daemons sharing PostgreSQL: acting is the leader's; `vigil once` leads for this run or does not act.
  const ha = core.leadership;
  if (!opts.dryRun && !(await ha.acquire())) {
    io.out(
      'vigil once: another daemon leads the monitor on this PostgreSQL database and acts there; ' +
        '"vigil once --dry-run" shows what would be done without acting',
    );
    return 1;
  }
  // Keeps leading (beating) through the run's verification waits; core.close() ends it.
  if (!opts.dryRun) ha.start();
  const { holder: id, pid, host } = holderOf(ha.daemonId);
  const monitor = createMonitor({
    config: core.config,
    holder: { id, pid, host },
    leading: () => ha.leading(),
    ...(ha.engine === 'postgres' ? { holderAlive: (otherwise) => ha.holderAlive(otherwise) } : {}),
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
  if (!opts.dryRun) await monitor.recover();
  const before = await monitor.store.activeIncidents();
  // One after the other: the routine pass's actions must not meet the critical pass's lease.
  const reports: CycleReport[] = [];
  const outcomes: Outcome[] = [];
  for (const kind of ['critical', 'routine'] as const) {
    const r = await monitor.runCycle(kind);
    reports.push(r);
    outcomes.push(...(await r.settled));
  }
  const now = core.deps.now();
  const found = new Set(reports.flatMap((r) => r.findings.map((f) => f.key)));
  const list = problems(reports, before, outcomes);
  const fromBefore = [...list.keys()].filter((k) => !found.has(k)).length;
  io.out(
    `vigil once${opts.dryRun ? ' --dry-run (nothing is written or changed)' : ''}: ${list.size} problem(s)` +
      (list.size ? `: ${found.size} found now, ${fromBefore} open from before` : ''),
  );
  const suppressed = reports.flatMap((r) => r.suppressed);
  for (const f of suppressed) io.out(`  ${f.key}: not opened, its node ${f.node} is down`);

  if (opts.dryRun) {
    const would = new Map(reports.flatMap((r) => r.wouldDo).map((w) => [w.key, w]));
    for (const [key, p] of list) {
      io.out(`  ${key}: ${p.summary}`);
      const w = would.get(key);
      const d = w?.decision;
      const what = !w
        ? 'nothing to decide'
        : d?.verdict === 'act' && w.call
          ? `would call ${describeCall(w.call.tool, w.call.args)}`
          : d?.verdict === 'escalate'
            ? `would escalate (${d.detail})`
            : d?.verdict === 'skip'
              ? `no action (${d.reason}: ${d.detail}${d.retryAt !== undefined ? `; until ${clock(d.retryAt, now)}` : ''})`
              : 'no action';
      io.out(`    dry run: ${what}`);
    }
    return 0;
  }

  const byKey = new Map(outcomes.map((o) => [o.key, o]));
  const resolved = new Set(reports.flatMap((r) => r.resolved.map((i) => i.key)));
  for (const [key, p] of list) {
    io.out(`  ${key}: ${p.summary}${p.since !== undefined ? ` (open since ${clock(p.since, now)})` : ''}`);
    const o = byKey.get(key);
    if (o) {
      const e = explainOutcome(o, await factsFor(core, monitor, key), now);
      io.out(`    did: ${e.did}`);
      io.out(`    next: ${e.next}`);
    } else if (resolved.has(key)) {
      io.out('    did: nothing needed: seen healthy again, resolved');
    } else {
      io.out('    did: nothing (not opened as an incident: suppressed or flapping)');
    }
  }
  const healed = [...resolved].filter((k) => !list.has(k));
  if (healed.length) io.out(`resolved (seen healthy): ${healed.join(', ')}`);
  return outcomes.some(
    (o) =>
      o.verdict === 'acted' && o.result !== 'succeeded' && o.result !== 'pending_approval' && o.result !== 'dry_run',
  )
    ? 1
    : 0;
}
