/**
 * Telling people: escalations (history + diagnostic snapshot, sent at once) and notify-only reports.
 */
import type { MonitorPort } from '../db/ports.js';
import type { Incident } from '../contracts/incidents.js';
import type { StorePorts } from '../db/ports.js';
import type { EventBus } from '../realtime/bus.js';
import type { Pipeline } from '../mcp/pipeline.js';
import type { Caller } from '../contracts/tiers.js';
import type { Notifier } from './ports.js';
import type { Runbook } from './runbooks.js';
import type { VigilConfig } from '../config/types.js';
import { actionStart } from './action-start.js';

export interface ReporterDeps {
  config: VigilConfig;
  store: MonitorPort;
  stores: StorePorts;
  bus: EventBus;
  pipeline: Pipeline;
  notifier?: Notifier;
  now: () => number;
  /** This process's holder id, so restart recovery can tell whose `running` rows were orphaned. */
  holderId: string;
}

export const MONITOR_CALLER: Caller = { kind: 'monitor', id: 'monitor' };

/** The caller the pipeline sees for one runbook (acting on `incident`, whose target may be opted in to red). */
export function monitorCaller(rb: Runbook, incident?: Incident): Caller {
  const optedIn = rb.allowRed && incident?.details.optedIn === true;
  return {
    ...MONITOR_CALLER,
    runbook: { name: rb.name, requiredLevel: rb.requiredLevel, allowRed: rb.allowRed, ...(optedIn ? { optedIn } : {}) },
  };
}

/** Creates the reporter. */
export function createReporter(deps: ReporterDeps) {
  /** Runs the runbook's read-only snapshot call through executeTool (audited); its text, or why it failed. */
  async function snapshot(rb: Runbook, incident: Incident): Promise<string | undefined> {
    const call = rb.snapshot(incident, deps.config);
    if (!call) return undefined;
    const r = await deps.pipeline.executeTool(call.tool, call.args, monitorCaller(rb));
    return r.kind === 'result' ? `${call.tool}: ${r.text}` : `${call.tool}: ${r.message}`;
  }

  async function history(incident: Incident): Promise<string> {
    const rows = await deps.store.actionsForKey(incident.key, incident.firstSeen - 3_600_000);
    if (rows.length === 0) return 'no actions were taken';
    return rows
      .map(
        (a) =>
          `${new Date(a.startedAt).toISOString()} ${a.runbook} ${a.tool ?? '-'} → ${a.result}${a.detail ? `: ${a.detail}` : ''}`,
      )
      .join('\n');
  }

  return {
    snapshot,

    /** Marks the incident escalated, publishes incident.escalated and sends the escalation now. */
    async escalate(incident: Incident, rb: Runbook, why: string): Promise<void> {
      const at = deps.now();
      // An incident resolved meanwhile (detection saw it recover) needs no operator. The row
      // change and its incident.escalated event commit together.
      const escalated = await deps.bus.publishWith(
        (m) => m.escalateIncident(incident.id, at),
        () => ({
          type: 'incident.escalated',
          severity: 'critical',
          title: `escalated: ${incident.condition} ${incident.target}`,
          message: `${incident.summary} — ${why}; an operator needs to look`,
          ...(incident.node ? { node: incident.node } : {}),
          target: incident.target,
          incidentKey: incident.key,
          data: { incidentId: incident.id, runbook: rb.name, why },
        }),
      );
      if (!escalated) return;
      // Level 0 records only; every other level is told (escalations are never rate limited).
      if ((await deps.stores.preferences.autonomyLevel()) === 0) return;
      const snap = await snapshot(rb, incident);
      await deps.notifier?.enqueue({
        kind: 'escalation',
        incidentKey: incident.key,
        subject: `[vigil] ESCALATION: ${incident.summary}`,
        body: `${incident.summary}\nWhy: ${why}\nFirst seen ${new Date(incident.firstSeen).toISOString()}, ${incident.attempts} attempt(s).\n\nHistory:\n${await history(incident)}`,
        ...(snap ? { snapshot: snap } : {}),
      });
    },

    /** A notify-only runbook's report (memory pressure): once per incident, with its snapshot. */
    async notifyOnly(incident: Incident, rb: Runbook): Promise<void> {
      const at = deps.now();
      const id = await deps.store.startAction(
        actionStart(incident, rb, {
          tool: null,
          args: {},
          node: incident.node,
          holder: deps.holderId,
          counts: false,
          startedAt: at,
          approvalId: null,
        }),
      );
      const snap = (await deps.stores.preferences.autonomyLevel()) >= 1 ? await snapshot(rb, incident) : undefined;
      if (snap !== undefined) {
        await deps.notifier?.enqueue({
          kind: 'report',
          incidentKey: incident.key,
          subject: `[vigil] ${incident.summary}`,
          body: `${incident.summary}\nNo automatic action: ${rb.description}.`,
          snapshot: snap,
        });
      }
      await deps.store.finishAction(id, {
        result: 'notified',
        detail: snap ? 'reported with a diagnostic snapshot' : 'recorded (autonomy level 0)',
        counts: false,
        finishedAt: deps.now(),
        durationMs: deps.now() - at,
      });
    },
  };
}

export type Reporter = ReturnType<typeof createReporter>;
