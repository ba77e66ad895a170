/**
 * The checks before an attempt: the guardrail input (pure decision lives in guardrails.ts) and the
 * runbook's preconditions on the live node.
 */
import type { Incident } from '../contracts/incidents.js';
import { DAY_MS, silenceReason } from './guardrails.js';
import type { RemediatorDeps } from './remediate-types.js';
import type { Runbook, ToolCall } from './runbooks.js';

/** The pure part for `vigil once --dry-run` and for callers who only ask: the guardrail verdict and the call it would make. */
export async function guardInputFor(
  deps: Pick<RemediatorDeps, 'config' | 'store' | 'stores' | 'now'>,
  incident: Incident,
  rb: Runbook,
  call: ToolCall | null,
) {
  const now = deps.now();
  const g = deps.config.monitor.guardrails;
  const windowMs = g.attemptWindowMinutes * 60_000;
  const recent = await deps.store.actionsForKey(incident.key, now - Math.max(windowMs, rb.cooldownMs));
  const successes = recent.filter((a) => a.runbook === rb.name && a.result === 'succeeded');
  const rules = [
    ...(await deps.store.activeSilences(now)),
    ...deps.config.monitor.maintenance.map((m) => ({
      matcher: m.target,
      reason: `maintenance: ${m.reason}`,
      startsAt: Date.parse(m.start),
      endsAt: Date.parse(m.end),
    })),
  ];
  return {
    now,
    runbook: { enabled: rb.enabled, acts: call !== null, cooldownMs: rb.cooldownMs },
    incident: { status: incident.status, flapping: incident.flapping },
    silenced: silenceReason(incident, rules, now),
    killSwitchActive: (await deps.stores.preferences.killSwitch()).active,
    level: await deps.stores.preferences.autonomyLevel(),
    attempts: recent.filter((a) => a.counts).map((a) => a.startedAt),
    lastSuccessAt: successes.length ? successes[successes.length - 1]!.startedAt : null,
    actionsLastDay: (await deps.store.actionsSince(now - DAY_MS)).filter((a) => a.counts).length,
    limits: {
      maxAttempts: g.maxAttempts,
      windowMs,
      backoffMs: g.backoffSeconds.map((s) => s * 1000),
      dailyCap: g.dailyActionCap,
    },
  };
}

/** The first of the runbook's preconditions that fails on the call's node, as a reason; null when all hold. */
export async function preconditionFailure(
  deps: Pick<RemediatorDeps, 'observer'>,
  rb: Runbook,
  call: ToolCall,
): Promise<string | null> {
  const node = typeof call.args.node === 'string' ? call.args.node : null;
  if (!node) return null;
  for (const p of rb.preconditions) {
    const why =
      p === 'node_online'
        ? await deps.observer.nodeOffline(node)
        : p === 'guest_unlocked'
          ? await deps.observer.guestLocked(Number(call.args.vmid))
          : await deps.observer.backupRunning(node);
    if (why) return why;
  }
  return null;
}
