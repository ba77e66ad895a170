/**
 * An incident's story for the dashboard's incident page, built from what is stored: the incident
 * row, its autonomy actions (each with its audit row and approval), and what the monitor will do
 * next, judged by the same guardrail function the monitor runs (`decideRemediation`). Pure: the
 * caller reads the stores and passes the rows in.
 */
import type { Approval } from '../../db/approvals.js';
import type { AuditRow } from '../../db/audit.js';
import type { AutonomyAction } from '../../db/monitor.js';
import type { Incident } from '../../contracts/incidents.js';
import type { GuardDecision } from '../../monitor/guardrails.js';
import type { ToolCall } from '../../monitor/runbooks.js';

export const TIMELINE_KINDS = ['detected', 'action', 'verification', 'escalated', 'resolved'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineEntry {
  at: number;
  kind: TimelineKind;
  title: string;
  detail: string;
  /** For actions: the audit row of the tool call, and the approval it filed or used. */
  audit?: Pick<AuditRow, 'id' | 'tool' | 'tier' | 'decision' | 'outcome' | 'error' | 'callerKind' | 'callerId'> | null;
  approvalId?: string | null;
  result?: AutonomyAction['result'];
}

/** What vigil will do next about the incident, in words, with the time it happens when known. */
export interface NextStep {
  state: 'done' | 'running' | 'waiting_approval' | 'will_act' | 'waiting' | 'operator';
  text: string;
  at?: number;
}

export interface TimelineInput {
  incident: Incident;
  actions: readonly AutonomyAction[];
  auditOf: (id: number) => AuditRow | undefined;
  approvalOf: (id: string) => Approval | undefined;
  /** The guardrail verdict now and the call the runbook would make (null: it only notifies). */
  decision: GuardDecision | null;
  call: ToolCall | null;
  now: number;
}

const callText = (c: { tool: string | null; args: Record<string, unknown> }) =>
  `${c.tool ?? 'no tool'}(${Object.entries(c.args)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(', ')})`;

/** The entries in time order: detection, each action and its verification, escalation, resolution. */
export function timelineOf(input: TimelineInput): TimelineEntry[] {
  const { incident } = input;
  const out: TimelineEntry[] = [
    {
      at: incident.firstSeen,
      kind: 'detected',
      title: `${incident.condition} detected on ${incident.target}`,
      detail: incident.summary,
    },
  ];
  for (const a of input.actions) {
    const audit = a.auditId === null ? null : (input.auditOf(a.auditId) ?? null);
    out.push({
      at: a.startedAt,
      kind: 'action',
      title: `${a.runbook}: ${callText(a)} → ${a.result}`,
      detail: a.detail,
      audit: audit && {
        id: audit.id,
        tool: audit.tool,
        tier: audit.tier,
        decision: audit.decision,
        outcome: audit.outcome,
        error: audit.error,
        callerKind: audit.callerKind,
        callerId: audit.callerId,
      },
      approvalId: a.approvalId,
      result: a.result,
    });
    if (a.verification)
      out.push({
        at: a.finishedAt ?? a.startedAt,
        kind: 'verification',
        title: 'verification',
        detail: a.verification,
      });
  }
  if (incident.escalatedAt !== null)
    out.push({
      at: incident.escalatedAt,
      kind: 'escalated',
      title: 'escalated to the operator',
      detail: 'vigil stopped trying on its own and sent the history to the operator',
    });
  if (incident.resolvedAt !== null)
    out.push({ at: incident.resolvedAt, kind: 'resolved', title: 'resolved', detail: 'seen healthy again' });
  return out.sort((a, b) => a.at - b.at);
}

/** What happens next, from the incident's state, a pending approval, a running action and the guardrails. */
export function nextStepOf(input: TimelineInput): NextStep {
  const { incident, decision, call, now } = input;
  if (incident.status === 'resolved')
    return { state: 'done', text: 'Nothing: the incident is resolved.', ...atOf(incident.resolvedAt) };
  const running = input.actions.find((a) => a.result === 'running');
  if (running) return { state: 'running', text: `Running now: ${callText(running)} (then verifying recovery).` };
  const approval = incident.approvalId ? input.approvalOf(incident.approvalId) : undefined;
  if (approval?.status === 'pending' && approval.expiresAt > now)
    return {
      state: 'waiting_approval',
      text: `Waiting for an operator to approve ${approval.tool} (${approval.id}) before the request expires.`,
      at: approval.expiresAt,
    };
  if (approval?.status === 'approved')
    return { state: 'will_act', text: `Approved: ${approval.tool} runs on the next cycle.` };
  if (!decision || !call)
    return {
      state: 'operator',
      text: 'vigil has no automatic action for this condition: it notified the operator, who has to look.',
    };
  if (decision.verdict === 'act') return { state: 'will_act', text: `On the next cycle: ${callText(call)}.` };
  if (decision.verdict === 'escalate')
    return { state: 'operator', text: `Escalates on the next cycle: ${decision.detail}.` };
  if (incident.status === 'escalated' && decision.retryAt === undefined)
    return { state: 'operator', text: `Escalated; vigil will not act again on its own (${decision.detail}).` };
  return {
    state: decision.retryAt === undefined ? 'operator' : 'waiting',
    text:
      decision.retryAt === undefined
        ? `No action: ${decision.detail}.`
        : `${decision.detail}; vigil tries ${call.tool} again once the wait is over.`,
    ...atOf(decision.retryAt ?? null),
  };
}

function atOf(at: number | null): { at?: number } {
  return at === null ? {} : { at };
}
