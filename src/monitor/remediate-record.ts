/**
 * Writing down what an attempt came to: skips (one event per change of reason), kill-switch blocks,
 * failures (escalating after the last allowed attempt) and `monitor.dryRun` plans.
 */
import type { Incident } from '../contracts/incidents.js';
import { killSwitchRefusal } from '../safety/gate.js';
import { attemptsInWindow, type SkipReason } from './guardrails.js';
import { monitorCaller } from './report.js';
import type { Outcome, RemediatorDeps } from './remediate-types.js';
import type { Runbook, ToolCall } from './runbooks.js';
import { actionStart } from './action-start.js';

/**
 * Creates the outcome recorder. `lastSkip` holds the last skip reason per incident key; the
 * remediator owns it and clears an entry when the incident is fixed.
 */
export function createOutcomeRecorder(deps: RemediatorDeps, lastSkip: Map<string, SkipReason>) {
  const { store, bus, now } = deps;

  async function skipped(incident: Incident, reason: SkipReason, detail: string): Promise<Outcome> {
    // One event per change of reason, not one per cycle.
    if (lastSkip.get(incident.key) !== reason) {
      lastSkip.set(incident.key, reason);
      await bus.publish({
        type: 'remediation.skipped',
        severity: reason === 'kill_switch' || reason === 'blast_radius' ? 'warning' : 'info',
        title: `no action on ${incident.condition} ${incident.target}: ${reason}`,
        message: detail,
        ...(incident.node ? { node: incident.node } : {}),
        target: incident.target,
        incidentKey: incident.key,
        data: { incidentId: incident.id, reason },
      });
    }
    return { key: incident.key, verdict: 'skipped', reason, detail };
  }

  /** The kill switch blocks: audit it once per incident per switch activation. */
  async function killSwitchBlock(incident: Incident, rb: Runbook, call: ToolCall): Promise<Outcome> {
    const since = (await deps.stores.preferences.killSwitch()).since ?? 0;
    const already = (await store.actionsForKey(incident.key, since)).some(
      (a) => a.result === 'blocked' && a.incidentId === incident.id,
    );
    if (!already) {
      const at = now();
      const ks = await deps.stores.preferences.killSwitch();
      // Recorded by the pipeline (one redacted audit row and a tool.blocked event), not run: the
      // switch was read here, so a release in between cannot let the call through unguarded.
      const { auditId } = await deps.pipeline.refuse(
        call.tool,
        call.args,
        monitorCaller(rb, incident),
        killSwitchRefusal({ scope: ks.scope, reason: ks.reason || 'the kill switch is on' }),
      );
      await recordNotRun(incident, rb, call, incident.node, at, {
        result: 'blocked',
        detail: 'blocked by the kill switch',
        auditId,
      });
    }
    return skipped(incident, 'kill_switch', 'the kill switch is on');
  }

  async function failed(incident: Incident, rb: Runbook, o: Extract<Outcome, { verdict: 'acted' }>): Promise<Outcome> {
    await bus.publish({
      type: 'remediation.failed',
      severity: 'warning',
      title: `${rb.name}: ${incident.condition} ${incident.target} not fixed`,
      message: o.detail,
      ...(incident.node ? { node: incident.node } : {}),
      target: incident.target,
      incidentKey: incident.key,
      data: { incidentId: incident.id, runbook: rb.name, tool: o.tool, result: o.result },
    });
    const g = deps.config.monitor.guardrails;
    const attempts = attemptsInWindow(
      (await store.actionsForKey(incident.key, now() - g.attemptWindowMinutes * 60_000))
        .filter((a) => a.counts)
        .map((a) => a.startedAt),
      now(),
      g.attemptWindowMinutes * 60_000,
    );
    const current = (await store.incident(incident.id)) ?? incident;
    // The last allowed attempt failed: escalate now rather than on the next cycle.
    if (attempts.length >= g.maxAttempts)
      await deps.reporter.escalate(
        current,
        rb,
        `${attempts.length} attempts failed within ${g.attemptWindowMinutes} min; last: ${o.detail}`,
      );
    else await store.setStatus(incident.id, 'open', now());
    return o;
  }

  /** An action the monitor decided but did not run (blocked, dry run): one finished row that counts as no attempt. */
  async function recordNotRun(
    incident: Incident,
    rb: Runbook,
    call: ToolCall,
    node: string | null,
    at: number,
    end: { result: 'blocked' | 'dry_run'; detail: string; auditId?: number },
  ): Promise<void> {
    const id = await store.startAction(
      actionStart(incident, rb, {
        tool: call.tool,
        args: call.args,
        node,
        holder: deps.holder.id,
        counts: false,
        startedAt: at,
        approvalId: null,
      }),
    );
    await store.finishAction(id, { ...end, counts: false, finishedAt: at, durationMs: 0 });
  }

  /**
   * monitor.dryRun: say once per incident what would run. No tool call, no lease, and nothing that
   * counts as an attempt, so switching dry run off later starts from clean counters.
   */
  async function dryRun(incident: Incident, rb: Runbook, c: ToolCall, node: string): Promise<Outcome> {
    const plan = `would call ${c.tool} ${JSON.stringify(c.args)}`;
    if (!(await store.actionsForIncident(incident.id)).some((a) => a.result === 'dry_run')) {
      const at = now();
      await recordNotRun(incident, rb, c, node, at, { result: 'dry_run', detail: `monitor.dryRun: ${plan}` });
      await bus.publish({
        type: 'remediation.skipped',
        severity: 'info',
        title: `dry run: ${rb.name} for ${incident.condition} ${incident.target}`,
        message: plan,
        node,
        target: incident.target,
        incidentKey: incident.key,
        data: { incidentId: incident.id, runbook: rb.name, tool: c.tool, args: c.args, reason: 'dry_run' },
      });
    }
    return {
      key: incident.key,
      verdict: 'acted',
      runbook: rb.name,
      tool: c.tool,
      args: c.args,
      result: 'dry_run',
      detail: plan,
    };
  }

  return { skipped, killSwitchBlock, failed, dryRun };
}

export type OutcomeRecorder = ReturnType<typeof createOutcomeRecorder>;
