/**
 * Row → record mappings for the PostgreSQL stores. The columns are the SQLite ones (the schema is
 * translated, not redesigned), and these mappings mirror the private ones of the SQLite table
 * modules line for line, so both engines hand out identical records; the contract suite
 * (test/db/ports.test.ts) runs the same assertions against both.
 */
import type { AuditDecision, AuditOutcome, CallerKind, Tier } from '../../contracts/tiers.js';
import type { EventType, Severity, VigilEvent } from '../../contracts/events.js';
import type { Condition, IncidentStatus, ActionResult } from '../../contracts/conditions.js';
import type { Incident } from '../../contracts/incidents.js';
import type { Lease } from '../../contracts/leases.js';
import type { AuditRow } from '../audit.js';
import type { ChainRow } from '../audit-chain.js';
import type { Approval, ApprovalStatus } from '../approvals.js';
import type { AutonomyAction } from '../actions.js';
import type { NotificationKind, OutboxPayload, OutboxRow, OutboxStatus } from '../outbox.js';
import { jsonObject, type Row } from '../rows.js';

export type { Row };

const str = (v: unknown): string | null => (v === null || v === undefined ? null : (v as string));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : (v as number));

/** An audit row as stored, for the chain walk. */
export function chainRowOf(r: Row): ChainRow {
  return {
    id: r.id as number,
    at: r.at as number,
    caller_kind: r.caller_kind as string,
    caller_id: r.caller_id as string,
    session_id: str(r.session_id),
    tool: r.tool as string,
    tier: str(r.tier),
    args: r.args as string,
    target: str(r.target),
    decision: r.decision as string,
    outcome: r.outcome as string,
    duration_ms: r.duration_ms as number,
    error: str(r.error),
    approval_id: str(r.approval_id),
    prev_hash: r.prev_hash as string,
    hash: r.hash as string,
  };
}

export function auditRowOf(r: Row): AuditRow {
  const raw = chainRowOf(r);
  return {
    id: raw.id,
    at: raw.at,
    callerKind: raw.caller_kind as CallerKind,
    callerId: raw.caller_id,
    sessionId: raw.session_id,
    tool: raw.tool,
    tier: raw.tier as Tier | null,
    args: JSON.parse(raw.args) as unknown,
    target: raw.target === null ? null : (JSON.parse(raw.target) as unknown),
    decision: raw.decision as AuditDecision,
    outcome: raw.outcome as AuditOutcome,
    durationMs: raw.duration_ms,
    error: raw.error,
    approvalId: raw.approval_id,
    prevHash: raw.prev_hash,
    hash: raw.hash,
  };
}

export function eventOf(r: Row): VigilEvent {
  const event: VigilEvent = {
    id: r.id as number,
    type: r.type as EventType,
    severity: r.severity as Severity,
    title: r.title as string,
    message: r.message as string,
    at: r.at as number,
  };
  if (r.node !== null) event.node = r.node as string;
  if (r.target !== null) event.target = r.target as string;
  if (r.incident_key !== null) event.incidentKey = r.incident_key as string;
  if (r.data !== null) event.data = JSON.parse(r.data as string) as Record<string, unknown>;
  return event;
}

/** An approval as of `now`: pending or approved past its expiry reads as expired. */
export function approvalOf(r: Row, now: number): Approval {
  const status = r.status as string;
  const expired = status === 'pending' || status === 'approved' ? now >= (r.expires_at as number) : false;
  return {
    id: r.id as string,
    tool: r.tool as string,
    args: JSON.parse(r.args as string) as Record<string, unknown>,
    sessionId: str(r.session_id),
    principal: r.principal as string,
    callerKind: r.caller_kind as CallerKind,
    callerId: r.caller_id as string,
    plan: r.plan as string,
    status: expired ? 'expired' : (status as ApprovalStatus),
    createdAt: r.created_at as number,
    expiresAt: r.expires_at as number,
    decidedAt: num(r.decided_at),
    decidedBy: str(r.decided_by),
    usedAt: num(r.used_at),
  };
}

export function incidentOf(r: Row): Incident {
  return {
    id: r.id as number,
    key: r.key as string,
    condition: r.condition as Condition,
    target: r.target as string,
    node: str(r.node),
    status: r.status as IncidentStatus,
    severity: r.severity as Severity,
    summary: r.summary as string,
    details: jsonObject(r.details),
    attempts: r.attempts as number,
    flapping: r.flapping === 1,
    approvalId: str(r.approval_id),
    firstSeen: r.first_seen as number,
    lastSeen: r.last_seen as number,
    resolvedAt: num(r.resolved_at),
    escalatedAt: num(r.escalated_at),
  };
}

export function actionOf(r: Row): AutonomyAction {
  return {
    id: r.id as number,
    incidentId: r.incident_id as number,
    incidentKey: r.incident_key as string,
    runbook: r.runbook as string,
    tool: str(r.tool),
    args: jsonObject(r.args),
    node: str(r.node),
    result: r.result as ActionResult,
    detail: r.detail as string,
    verification: str(r.verification),
    auditId: num(r.audit_id),
    approvalId: str(r.approval_id),
    holder: r.holder as string,
    counts: r.counts === 1,
    startedAt: r.started_at as number,
    finishedAt: num(r.finished_at),
    durationMs: num(r.duration_ms),
  };
}

export function leaseOf(r: Row): Lease {
  return {
    node: r.node as string,
    holder: r.holder as string,
    pid: r.pid as number,
    host: r.host as string,
    incidentKey: r.incident_key as string,
    acquiredAt: r.acquired_at as number,
    expiresAt: r.expires_at as number,
  };
}

export function outboxRowOf(r: Row): OutboxRow {
  return {
    id: r.id as number,
    channel: r.channel as string,
    kind: r.kind as NotificationKind,
    incidentKey: str(r.incident_key),
    payload: JSON.parse(r.payload as string) as OutboxPayload,
    status: r.status as OutboxStatus,
    attempts: r.attempts as number,
    createdAt: r.created_at as number,
    nextAttemptAt: r.next_attempt_at as number,
    leaseOwner: str(r.lease_owner),
    leaseUntil: num(r.lease_until),
    lastError: str(r.last_error),
    deliveredAt: num(r.delivered_at),
  };
}
