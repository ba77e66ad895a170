/**
 * One remediation attempt: guardrails → lease (blast radius) → preconditions → kill switch again →
 * executeTool (which gates, confirms, re-checks the switch and audits) → verify → record.
 * Every step that decides is a pure function elsewhere; this file reads state, asks, and writes
 * down what happened.
 */
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/types.js';
import type { MonitorStore } from '../db/monitor.js';
import type { Incident } from '../contracts/incidents.js';
import type { Lease } from '../contracts/leases.js';
import type { Stores } from '../db/stores.js';
import type { EventBus } from '../realtime/bus.js';
import type { ExecuteResult, Pipeline } from '../mcp/pipeline.js';
import { APPROVAL_ARG } from '../mcp/pipeline.js';
import { toolData } from '../mcp/tool.js';
import { cleanupDisk } from '../mcp/tools/cleanup.js';
import type { Condition } from '../contracts/conditions.js';
import { isKillSwitchCode } from '../contracts/errors.js';
import { killSwitchRefusal } from '../safety/gate.js';
import {
  DAY_MS,
  attemptsInWindow,
  decideRemediation,
  silenceReason,
  type GuardDecision,
  type SkipReason,
} from './guardrails.js';
import { resolveIncident, type IncidentLogDeps } from './incidents.js';
import type { Observer } from './observe.js';
import type { Sleep } from './ports.js';
import { monitorCaller, type Reporter } from './report.js';
import type { Runbook, ToolCall } from './runbooks.js';

/** Who holds leases and runs actions: one per process (host, pid, and a random part for pid reuse). */
export interface Holder {
  id: string;
  pid: number;
  host: string;
}

export interface RemediatorDeps {
  config: VigilConfig;
  store: MonitorStore;
  stores: Stores;
  bus: EventBus;
  pipeline: Pipeline;
  observer: Observer;
  reporter: Reporter;
  runbooks: ReadonlyMap<Condition, Runbook>;
  incidentLog: IncidentLogDeps;
  logger: Logger;
  now: () => number;
  sleep: Sleep;
  holder: Holder;
  /** Whether a lease's holder process still lives. */
  alive: (lease: Lease) => boolean;
  /** Aborted when the monitor stops: verification waits end at once. */
  signal: AbortSignal;
}

export type Outcome =
  | { key: string; verdict: 'skipped'; reason: SkipReason; detail: string }
  | { key: string; verdict: 'escalated'; detail: string }
  | {
      key: string;
      verdict: 'acted';
      runbook: string;
      tool: string;
      args: Record<string, unknown>;
      result: string;
      detail: string;
    };

/** The pure part for `vigil once --dry-run` and for callers who only ask: the guardrail verdict and the call it would make. */
export function guardInputFor(
  deps: Pick<RemediatorDeps, 'config' | 'store' | 'stores' | 'now'>,
  incident: Incident,
  rb: Runbook,
  call: ToolCall | null,
) {
  const now = deps.now();
  const g = deps.config.monitor.guardrails;
  const windowMs = g.attemptWindowMinutes * 60_000;
  const recent = deps.store.actionsForKey(incident.key, now - Math.max(windowMs, rb.cooldownMs));
  const successes = recent.filter((a) => a.runbook === rb.name && a.result === 'succeeded');
  const rules = [
    ...deps.store.activeSilences(now),
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
    killSwitchActive: deps.stores.preferences.killSwitch().active,
    level: deps.stores.preferences.autonomyLevel(),
    attempts: recent.filter((a) => a.counts).map((a) => a.startedAt),
    lastSuccessAt: successes.length ? successes[successes.length - 1]!.startedAt : null,
    actionsLastDay: deps.store.actionsSince(now - DAY_MS).filter((a) => a.counts).length,
    limits: {
      maxAttempts: g.maxAttempts,
      windowMs,
      backoffMs: g.backoffSeconds.map((s) => s * 1000),
      dailyCap: g.dailyActionCap,
    },
  };
}

/** Creates the remediator. */
export function createRemediator(deps: RemediatorDeps) {
  const { store, bus, now } = deps;
  const lastSkip = new Map<string, SkipReason>();
  // Several incidents on one node share this process's lease on it; it is released with the last.
  const leaseUsers = new Map<string, number>();

  function skipped(incident: Incident, reason: SkipReason, detail: string): Outcome {
    // One event per change of reason, not one per cycle.
    if (lastSkip.get(incident.key) !== reason) {
      lastSkip.set(incident.key, reason);
      bus.publish({
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
  function killSwitchBlock(incident: Incident, rb: Runbook, call: ToolCall): Outcome {
    const since = deps.stores.preferences.killSwitch().since ?? 0;
    const already = store
      .actionsForKey(incident.key, since)
      .some((a) => a.result === 'blocked' && a.incidentId === incident.id);
    if (!already) {
      const at = now();
      const ks = deps.stores.preferences.killSwitch();
      // Recorded by the pipeline (one redacted audit row and a tool.blocked event), not run: the
      // switch was read here, so a release in between cannot let the call through unguarded.
      const { auditId } = deps.pipeline.refuse(
        call.tool,
        call.args,
        monitorCaller(rb, incident),
        killSwitchRefusal({ scope: ks.scope, reason: ks.reason || 'the kill switch is on' }),
      );
      const id = store.startAction({
        incidentId: incident.id,
        incidentKey: incident.key,
        runbook: rb.name,
        tool: call.tool,
        args: call.args,
        node: incident.node,
        result: 'running',
        detail: '',
        holder: deps.holder.id,
        counts: false,
        startedAt: at,
        approvalId: null,
      });
      store.finishAction(id, {
        result: 'blocked',
        detail: 'blocked by the kill switch',
        auditId,
        counts: false,
        finishedAt: at,
        durationMs: 0,
      });
    }
    return skipped(incident, 'kill_switch', 'the kill switch is on');
  }

  async function preconditionFailure(rb: Runbook, call: ToolCall): Promise<string | null> {
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

  /** Polls the runbook's recovery check; 'stopped' when the monitor is shutting down meanwhile. */
  async function verify(rb: Runbook, incident: Incident, lease: string): Promise<boolean | 'stopped'> {
    const v = rb.verify;
    await deps.sleep(v.delayMs, deps.signal);
    // Counted polls rather than a deadline: the outcome must not depend on an injected clock.
    const polls = Math.max(1, Math.ceil(v.timeoutMs / v.intervalMs) + 1);
    for (let i = 0; i < polls; i++) {
      if (deps.signal.aborted) return 'stopped';
      if (await deps.observer.recovered(v.check, incident, deps.signal)) return true;
      store.renewLease(lease, deps.holder.id, now() + deps.config.monitor.guardrails.leaseSeconds * 1000);
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
    const actionId = store.startAction({
      incidentId: incident.id,
      incidentKey: incident.key,
      runbook: rb.name,
      tool: call.tool,
      args: call.args,
      node,
      result: 'running',
      detail: '',
      holder: deps.holder.id,
      counts: true,
      startedAt: started,
      approvalId,
    });
    const args = approvalId ? { ...call.args, [APPROVAL_ARG]: approvalId } : call.args;
    const r: ExecuteResult = await deps.pipeline.executeTool(call.tool, args, monitorCaller(rb, incident));
    const finish = (
      result: Parameters<MonitorStore['finishAction']>[1]['result'],
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
      finish('failed', r.message, true);
      return failed(incident, rb, outcome('failed', r.message));
    }
    if (r.decision === 'pending') {
      finish('pending_approval', r.text, false);
      store.setApproval(incident.id, r.approvalId, now());
      store.setStatus(incident.id, 'open', now());
      return outcome('pending_approval', r.text);
    }
    if (r.decision === 'blocked' || r.decision === 'denied') {
      finish('blocked', r.text, false);
      store.setStatus(incident.id, 'open', now());
      return skipped(
        incident,
        r.decision === 'blocked' && isKillSwitchCode(r.code) ? 'kill_switch' : 'precondition',
        r.text,
      );
    }
    if (r.decision === 'dry_run') {
      finish('dry_run', r.text, false);
      store.setStatus(incident.id, 'open', now());
      return outcome('dry_run', r.text);
    }
    if (approvalId) store.setApproval(incident.id, null, now());
    if (r.isError) {
      finish('failed', r.text, true);
      return failed(incident, rb, outcome('failed', r.text));
    }
    const ok = await verify(rb, incident, node);
    if (ok === 'stopped') {
      // The action ran; whether it worked is for the next process's detection to see.
      finish('interrupted', `${r.text} — vigil stopped before verification finished`, true);
      store.setStatus(incident.id, 'open', now());
      return outcome('interrupted', 'vigil stopped before verification finished');
    }
    const verification = ok
      ? `${rb.verify.check}: recovered`
      : `${rb.verify.check}: not recovered within ${rb.verify.timeoutMs} ms`;
    if (!ok) {
      finish('verify_failed', r.text, true, verification);
      return failed(incident, rb, outcome('verify_failed', verification));
    }
    finish('succeeded', r.text, true, verification);
    lastSkip.delete(incident.key);
    bus.publish({
      type: 'remediation.succeeded',
      severity: 'info',
      title: `${rb.name}: ${incident.condition} ${incident.target} fixed`,
      message: `${r.text} — ${verification}`,
      ...(incident.node ? { node: incident.node } : {}),
      target: incident.target,
      incidentKey: incident.key,
      data: { incidentId: incident.id, runbook: rb.name, tool: call.tool, durationMs: now() - started },
    });
    resolveIncident(
      store.incident(incident.id) ?? incident,
      `remediated by ${rb.name} (${call.tool})`,
      deps.incidentLog,
    );
    return outcome('succeeded', verification);
  }

  async function failed(incident: Incident, rb: Runbook, o: Extract<Outcome, { verdict: 'acted' }>): Promise<Outcome> {
    bus.publish({
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
      store
        .actionsForKey(incident.key, now() - g.attemptWindowMinutes * 60_000)
        .filter((a) => a.counts)
        .map((a) => a.startedAt),
      now(),
      g.attemptWindowMinutes * 60_000,
    );
    const current = store.incident(incident.id) ?? incident;
    // The last allowed attempt failed: escalate now rather than on the next cycle.
    if (attempts.length >= g.maxAttempts)
      await deps.reporter.escalate(
        current,
        rb,
        `${attempts.length} attempts failed within ${g.attemptWindowMinutes} min; last: ${o.detail}`,
      );
    else store.setStatus(incident.id, 'open', now());
    return o;
  }

  /**
   * monitor.dryRun: say once per incident what would run. No tool call, no lease, and nothing that
   * counts as an attempt, so switching dry run off later starts from clean counters.
   */
  function dryRun(incident: Incident, rb: Runbook, c: ToolCall, node: string): Outcome {
    const plan = `would call ${c.tool} ${JSON.stringify(c.args)}`;
    if (!store.actionsForIncident(incident.id).some((a) => a.result === 'dry_run')) {
      const at = now();
      const id = store.startAction({
        incidentId: incident.id,
        incidentKey: incident.key,
        runbook: rb.name,
        tool: c.tool,
        args: c.args,
        node,
        result: 'running',
        detail: '',
        holder: deps.holder.id,
        counts: false,
        startedAt: at,
        approvalId: null,
      });
      store.finishAction(id, {
        result: 'dry_run',
        detail: `monitor.dryRun: ${plan}`,
        counts: false,
        finishedAt: at,
        durationMs: 0,
      });
      bus.publish({
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

  return {
    /** Decides and, when allowed, runs one attempt for an active incident. */
    async remediate(incident: Incident): Promise<Outcome> {
      const rb = deps.runbooks.get(incident.condition);
      if (!rb) return { key: incident.key, verdict: 'skipped', reason: 'disabled', detail: 'no runbook' };
      const call = rb.action(incident, deps.config);
      if (call === null && rb.enabled) {
        if (!store.actionsForIncident(incident.id).some((a) => a.result === 'notified'))
          await deps.reporter.notifyOnly(incident, rb);
        return skipped(incident, 'no_action', rb.description);
      }

      let approvalId: string | null = null;
      if (incident.approvalId) {
        const a = deps.stores.approvals.get(incident.approvalId, now());
        if (a?.status === 'pending') return skipped(incident, 'awaiting_approval', `approval ${a.id} is pending`);
        if (a?.status === 'denied') return skipped(incident, 'approval_denied', `an operator denied approval ${a.id}`);
        if (a?.status === 'approved') approvalId = a.id;
        else store.setApproval(incident.id, null, now());
      }

      const decision: GuardDecision = decideRemediation(guardInputFor(deps, incident, rb, call));
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
      const lease = store.acquireLease(
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
        deps.alive,
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
        store.setStatus(incident.id, 'remediating', now());
        bus.publish({
          type: 'remediation.started',
          severity: 'info',
          title: `${rb.name}: ${c.tool} for ${incident.condition} ${incident.target}`,
          message: `${rb.description}`,
          node,
          target: incident.target,
          incidentKey: incident.key,
          data: { incidentId: incident.id, runbook: rb.name, tool: c.tool, args: c.args },
        });
        const pre = await preconditionFailure(rb, c);
        if (pre) {
          store.setStatus(incident.id, 'open', now());
          return skipped(incident, 'precondition', pre);
        }
        // Checked again right before acting: a switch flipped since the guardrails ran wins.
        if (deps.stores.preferences.killSwitch().active) {
          store.setStatus(incident.id, 'open', now());
          return killSwitchBlock(incident, rb, c);
        }
        // The probe is a green call (measure only), so at level 2 it runs without an approval of its
        // own and the operator decides on the real call alone.
        if (rb.dryRunFirst) {
          const dry = await deps.pipeline.executeTool(c.tool, { ...c.args, dryRun: true }, monitorCaller(rb, incident));
          const ran = dry.kind === 'result' && dry.decision === 'allowed' && dry.outcome === 'ok';
          const freed = ran ? (toolData(cleanupDisk, dry.data)?.freedBytes ?? 0) : 0;
          if (dry.kind === 'result' && dry.decision === 'allowed' && freed <= 0) {
            const id = store.startAction({
              incidentId: incident.id,
              incidentKey: incident.key,
              runbook: rb.name,
              tool: c.tool,
              args: { ...c.args, dryRun: true },
              node,
              result: 'running',
              detail: '',
              holder: deps.holder.id,
              counts: true,
              startedAt: now(),
              approvalId: null,
            });
            store.finishAction(id, {
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
          store.releaseLease(node, deps.holder.id);
        }
      }
    },
  };
}

export type Remediator = ReturnType<typeof createRemediator>;
