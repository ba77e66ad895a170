/**
 * The act and verify steps of one attempt: executeTool (which gates, confirms, re-checks the switch
 * and audits), then the runbook's recovery check, and the action row and events for each result.
 */
import type { MonitorPort } from '../db/ports.js';
import type { Incident } from '../contracts/incidents.js';
import type { ExecuteResult } from '../mcp/pipeline.js';
import { APPROVAL_ARG } from '../mcp/pipeline.js';
import { isKillSwitchCode } from '../contracts/errors.js';
import type { SkipReason } from './guardrails.js';
import { resolveIncident } from './incidents.js';
import { monitorCaller } from './report.js';
import type { OutcomeRecorder } from './remediate-record.js';
import type { Outcome, RemediatorDeps } from './remediate-types.js';
import type { Runbook, ToolCall } from './runbooks.js';
import { actionStart } from './action-start.js';

/**
 * Creates the act step. `lastSkip` is the remediator's skip memory (cleared here on success);
 * `recorder` writes skips and failures.
 */
export function createActor(deps: RemediatorDeps, recorder: OutcomeRecorder, lastSkip: Map<string, SkipReason>) {
  const { store, bus, now } = deps;
  const { skipped, failed } = recorder;

  /** Polls the runbook's recovery check; 'stopped' when the monitor is shutting down meanwhile. */
  async function verify(rb: Runbook, incident: Incident, lease: string): Promise<boolean | 'stopped'> {
    const v = rb.verify;
    await deps.sleep(v.delayMs, deps.signal);
    // Counted polls rather than a deadline: the outcome must not depend on an injected clock.
    const polls = Math.max(1, Math.ceil(v.timeoutMs / v.intervalMs) + 1);
    for (let i = 0; i < polls; i++) {
      if (deps.signal.aborted) return 'stopped';
      if (await deps.observer.recovered(v.check, incident, deps.signal)) return true;
      await store.renewLease(lease, deps.holder.id, now() + deps.config.monitor.guardrails.leaseSeconds * 1000);
      if (i < polls - 1) await deps.sleep(v.intervalMs, deps.signal);
    }
    return false;
  }

  /** Runs the call and records it; returns the outcome. The lease is held by the caller. */
  async function act(
    incident: Incident,
    rb: Runbook,
    call: ToolCall,
    approvalId: string | null,
    node: string,
  ): Promise<Outcome> {
    const started = now();
    const t0 = performance.now();
    const actionId = await store.startAction(
      actionStart(incident, rb, {
        tool: call.tool,
        args: call.args,
        node,
        holder: deps.holder.id,
        counts: true,
        startedAt: started,
        approvalId,
      }),
    );
    const args = approvalId ? { ...call.args, [APPROVAL_ARG]: approvalId } : call.args;
    const r: ExecuteResult = await deps.pipeline.executeTool(call.tool, args, monitorCaller(rb, incident));
    const finish = async (
      result: Parameters<MonitorPort['finishAction']>[1]['result'],
      detail: string,
      didCount: boolean,
      verification: string | null = null,
    ) =>
      store.finishAction(actionId, {
        result,
        detail,
        verification,
        auditId: r.auditId,
        approvalId: r.kind === 'result' && r.decision === 'pending' ? r.approvalId : approvalId,
        counts: didCount,
        finishedAt: now(),
        durationMs: performance.now() - t0,
      });
    type Acted = Extract<Outcome, { verdict: 'acted' }>;
    const outcome = (result: string, detail: string): Acted => ({
      key: incident.key,
      verdict: 'acted',
      runbook: rb.name,
      tool: call.tool,
      args: call.args,
      result,
      detail,
    });

    if (r.kind === 'protocol_error') {
      await finish('failed', r.message, true);
      return failed(incident, rb, outcome('failed', r.message));
    }
    if (r.decision === 'pending') {
      await finish('pending_approval', r.text, false);
      await store.setApproval(incident.id, r.approvalId, now());
      await store.setStatus(incident.id, 'open', now());
      return outcome('pending_approval', r.text);
    }
    if (r.decision === 'blocked' || r.decision === 'denied') {
      await finish('blocked', r.text, false);
      await store.setStatus(incident.id, 'open', now());
      return skipped(
        incident,
        r.decision === 'blocked' && isKillSwitchCode(r.code) ? 'kill_switch' : 'precondition',
        r.text,
      );
    }
    if (r.decision === 'dry_run') {
      await finish('dry_run', r.text, false);
      await store.setStatus(incident.id, 'open', now());
      return outcome('dry_run', r.text);
    }
    if (approvalId) await store.setApproval(incident.id, null, now());
    if (r.isError) {
      await finish('failed', r.text, true);
      return failed(incident, rb, outcome('failed', r.text));
    }
    const ok = await verify(rb, incident, node);
    if (ok === 'stopped') {
      // The action ran; whether it worked is for the next process's detection to see.
      await finish('interrupted', `${r.text} — vigil stopped before verification finished`, true);
      await store.setStatus(incident.id, 'open', now());
      return outcome('interrupted', 'vigil stopped before verification finished');
    }
    const verification = ok
      ? `${rb.verify.check}: recovered`
      : `${rb.verify.check}: not recovered within ${rb.verify.timeoutMs} ms`;
    if (!ok) {
      await finish('verify_failed', r.text, true, verification);
      return failed(incident, rb, outcome('verify_failed', verification));
    }
    await finish('succeeded', r.text, true, verification);
    lastSkip.delete(incident.key);
    await bus.publish({
      type: 'remediation.succeeded',
      severity: 'info',
      title: `${rb.name}: ${incident.condition} ${incident.target} fixed`,
      message: `${r.text} — ${verification}`,
      ...(incident.node ? { node: incident.node } : {}),
      target: incident.target,
      incidentKey: incident.key,
      data: { incidentId: incident.id, runbook: rb.name, tool: call.tool, durationMs: now() - started },
    });
    await resolveIncident(
      (await store.incident(incident.id)) ?? incident,
      `remediated by ${rb.name} (${call.tool})`,
      deps.incidentLog,
    );
    return outcome('succeeded', verification);
  }

  return { act };
}
