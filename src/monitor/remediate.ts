/**
 * One remediation attempt: guardrails → lease (blast radius) → preconditions → kill switch again →
 * executeTool (which gates, confirms, re-checks the switch and audits) → verify → record.
 * Every step that decides is a pure function elsewhere; this file reads state, asks, and writes
 * down what happened. The steps live beside it: remediate-guard.ts (guardrail input, preconditions),
 * remediate-act.ts (act and verify), remediate-record.ts (skips, blocks, failures, dry-run plans).
 */
import { toolData } from '../mcp/tool.js';
import { cleanupDisk } from '../mcp/tools/cleanup.js';
import type { Incident } from '../contracts/incidents.js';
import { decideRemediation, type GuardDecision, type SkipReason } from './guardrails.js';
import { monitorCaller } from './report.js';
import { createActor } from './remediate-act.js';
import { guardInputFor, preconditionFailure } from './remediate-guard.js';
import { createOutcomeRecorder } from './remediate-record.js';
import type { Outcome, RemediatorDeps } from './remediate-types.js';
import { actionStart } from './action-start.js';

export type { Holder, Outcome, RemediatorDeps } from './remediate-types.js';
export { guardInputFor } from './remediate-guard.js';

/** Creates the remediator. */
export function createRemediator(deps: RemediatorDeps) {
  const { store, bus, now } = deps;
  const lastSkip = new Map<string, SkipReason>();
  // Several incidents on one node share this process's lease on it; it is released with the last.
  const leaseUsers = new Map<string, number>();
  const recorder = createOutcomeRecorder(deps, lastSkip);
  const { skipped, killSwitchBlock, failed, dryRun } = recorder;
  const { act } = createActor(deps, recorder, lastSkip);

  return {
    /** Decides and, when allowed, runs one attempt for an active incident. */
    async remediate(incident: Incident): Promise<Outcome> {
      const rb = deps.runbooks.get(incident.condition);
      if (!rb) return { key: incident.key, verdict: 'skipped', reason: 'disabled', detail: 'no runbook' };
      const call = rb.action(incident, deps.config);
      if (call === null && rb.enabled) {
        if (!(await store.actionsForIncident(incident.id)).some((a) => a.result === 'notified'))
          await deps.reporter.notifyOnly(incident, rb);
        return skipped(incident, 'no_action', rb.description);
      }

      let approvalId: string | null = null;
      if (incident.approvalId) {
        const a = await deps.stores.approvals.get(incident.approvalId, now());
        if (a?.status === 'pending') return skipped(incident, 'awaiting_approval', `approval ${a.id} is pending`);
        if (a?.status === 'denied') return skipped(incident, 'approval_denied', `an operator denied approval ${a.id}`);
        if (a?.status === 'approved') approvalId = a.id;
        else await store.setApproval(incident.id, null, now());
      }

      const decision: GuardDecision = decideRemediation(await guardInputFor(deps, incident, rb, call));
      if (decision.verdict === 'escalate') {
        await deps.reporter.escalate(incident, rb, decision.detail);
        return { key: incident.key, verdict: 'escalated', detail: decision.detail };
      }
      if (decision.verdict === 'skip')
        return decision.reason === 'kill_switch'
          ? killSwitchBlock(incident, rb, call!)
          : skipped(incident, decision.reason, decision.detail);
      const c = call!;
      const node = typeof c.args.node === 'string' ? c.args.node : (incident.node ?? incident.target);
      if (deps.config.monitor.dryRun) return dryRun(incident, rb, c, node);

      const at = now();
      const lease = await store.acquireLease(
        {
          node,
          holder: deps.holder.id,
          pid: deps.holder.pid,
          host: deps.holder.host,
          incidentKey: incident.key,
          acquiredAt: at,
          expiresAt: at + deps.config.monitor.guardrails.leaseSeconds * 1000,
        },
        deps.config.monitor.guardrails.maxConcurrentNodes,
        deps.holderAlive ? await deps.holderAlive(deps.alive) : deps.alive,
      );
      for (const l of lease.recovered)
        deps.logger.warn(
          { node: l.node, holder: l.holder, incident: l.incidentKey },
          'monitor: took over an expired or orphaned remediation lease',
        );
      if (!lease.ok)
        return skipped(
          incident,
          'blast_radius',
          `nodes under remediation: ${lease.holders.map((l) => l.node).join(', ')}`,
        );
      leaseUsers.set(node, (leaseUsers.get(node) ?? 0) + 1);
      try {
        await store.setStatus(incident.id, 'remediating', now());
        await bus.publish({
          type: 'remediation.started',
          severity: 'info',
          title: `${rb.name}: ${c.tool} for ${incident.condition} ${incident.target}`,
          message: `${rb.description}`,
          node,
          target: incident.target,
          incidentKey: incident.key,
          data: { incidentId: incident.id, runbook: rb.name, tool: c.tool, args: c.args },
        });
        const pre = await preconditionFailure(deps, rb, c);
        if (pre) {
          await store.setStatus(incident.id, 'open', now());
          return skipped(incident, 'precondition', pre);
        }
        // Checked again right before acting: a switch flipped since the guardrails ran wins.
        if ((await deps.stores.preferences.killSwitch()).active) {
          await store.setStatus(incident.id, 'open', now());
          return killSwitchBlock(incident, rb, c);
        }
        // The probe is a green call (measure only), so at level 2 it runs without an approval of its
        // own and the operator decides on the real call alone.
        if (rb.dryRunFirst) {
          const dry = await deps.pipeline.executeTool(c.tool, { ...c.args, dryRun: true }, monitorCaller(rb, incident));
          const ran = dry.kind === 'result' && dry.decision === 'allowed' && dry.outcome === 'ok';
          const freed = ran ? (toolData(cleanupDisk, dry.data)?.freedBytes ?? 0) : 0;
          if (dry.kind === 'result' && dry.decision === 'allowed' && freed <= 0) {
            const id = await store.startAction(
              actionStart(incident, rb, {
                tool: c.tool,
                args: { ...c.args, dryRun: true },
                node,
                holder: deps.holder.id,
                counts: true,
                startedAt: now(),
                approvalId: null,
              }),
            );
            await store.finishAction(id, {
              result: 'failed',
              detail: `dry run: nothing to free${dry.isError ? ` (${dry.text})` : ''}`,
              auditId: dry.auditId,
              counts: true,
              finishedAt: now(),
              durationMs: 0,
            });
            return failed(incident, rb, {
              key: incident.key,
              verdict: 'acted',
              runbook: rb.name,
              tool: c.tool,
              args: c.args,
              result: 'failed',
              detail: 'dry run: nothing to free',
            });
          }
        }
        return await act(incident, rb, c, approvalId, node);
      } finally {
        const users = (leaseUsers.get(node) ?? 1) - 1;
        if (users > 0) leaseUsers.set(node, users);
        else {
          leaseUsers.delete(node);
          await store.releaseLease(node, deps.holder.id);
        }
      }
    },
  };
}

export type Remediator = ReturnType<typeof createRemediator>;
