/**
 * Row → record mappings shared by both engines' stores. The PostgreSQL schema is the SQLite one
 * translated, not redesigned, and its pool already reads BIGINT as a number (pg/pool.ts), so one
 * mapping per table hands out identical records on both; the contract suite
 * (test/db/ports.test.ts) runs the same assertions against both. The record types these mappers
 * build live here too (with the closed vocabularies their status fields are drawn from), below the
 * table modules that re-export them, so neither engine's store imports the other's and no import
 * runs in a circle.
 */
import type { AuditDecision, AuditOutcome, CallerKind, Tier } from '../contracts/tiers.js';
import type { ActionResult, Condition, CycleKind, IncidentStatus } from '../contracts/conditions.js';
import type { EventType, Severity, VigilEvent } from '../contracts/events.js';
import type { Incident } from '../contracts/incidents.js';
import type { Lease } from '../contracts/leases.js';
import type { ChainRow } from './audit-chain.js';

/** A row as the driver returns it, before mapping to a typed record. */
export type Row = Record<string, unknown>;

/** Parses a JSON object column; an empty or NULL column reads as `{}`. */
export function jsonObject(v: unknown): Record<string, unknown> {
  return typeof v === 'string' && v !== '' ? (JSON.parse(v) as Record<string, unknown>) : {};
}

/** A nullable text column; a missing one reads as null. */
export const str = (v: unknown): string | null => (v === null || v === undefined ? null : (v as string));
/** A nullable integer column; a missing one reads as null. */
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : (v as number));

/** One audit entry as the pipeline records it (args already redacted). */
export interface AuditEntry {
  at: number;
  callerKind: CallerKind;
  callerId: string;
  sessionId: string | null;
  tool: string;
  tier: Tier | null;
  args: unknown;
  target: unknown;
  decision: AuditDecision;
  outcome: AuditOutcome;
  durationMs: number;
  error: string | null;
  approvalId: string | null;
}

/** An audit entry as stored: with its id and its links in the hash chain. */
export interface AuditRow extends AuditEntry {
  id: number;
  prevHash: string;
  hash: string;
}

/** One remediation step the monitor took or tried (an autonomy_actions row). */
export interface AutonomyAction {
  id: number;
  incidentId: number;
  incidentKey: string;
  runbook: string;
  tool: string | null;
  args: Record<string, unknown>;
  node: string | null;
  result: ActionResult;
  detail: string;
  verification: string | null;
  auditId: number | null;
  approvalId: string | null;
  holder: string;
  /** Whether it counts as an attempt: something was really tried on the infrastructure. */
  counts: boolean;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
}

/** A maintenance window during which matching incidents take no action. */
export interface Silence {
  id: number;
  matcher: string;
  reason: string;
  createdBy: string;
  startsAt: number;
  endsAt: number;
}

/** The last run of one schedule (critical, routine, daily), whichever process ran it. */
export interface MonitorRun {
  kind: CycleKind;
  holder: string;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  error: string | null;
  summary: string | null;
}

export const APPROVAL_STATUSES = ['pending', 'approved', 'denied', 'used', 'expired'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** A request to run one red call, and where it stands. */
export interface Approval {
  id: string;
  tool: string;
  args: Record<string, unknown>;
  /** The MCP session that asked, for the record only: redemption is bound to `principal`. */
  sessionId: string | null;
  /** The identity that may redeem it: `assistant-token`, `oauth:<sub>`, or `<kind>:<id>` without one. */
  principal: string;
  callerKind: CallerKind;
  callerId: string;
  plan: string;
  status: ApprovalStatus;
  createdAt: number;
  expiresAt: number;
  decidedAt: number | null;
  decidedBy: string | null;
  usedAt: number | null;
}

/** What the monitor asks to be told: folded reports, immediate escalations, recovery notices. */
export const NOTIFICATION_KINDS = ['report', 'escalation', 'recovery'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const OUTBOX_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** The rendered-independent content of one notification, stored as JSON. */
export interface OutboxPayload {
  subject: string;
  body: string;
  /** Diagnostic output: one text, or sections keyed by title (e.g. `{"df -h": "..."}`). */
  snapshot?: string | Record<string, string>;
}

/** A notification to queue: where it goes and what it says. */
export interface NewOutboxRow {
  /** The destination: "email" or "webhook:<id>". */
  channel: string;
  kind: NotificationKind;
  incidentKey: string | null;
  payload: OutboxPayload;
}

/** A queued notification with its delivery state. */
export interface OutboxRow extends NewOutboxRow {
  id: number;
  status: OutboxStatus;
  attempts: number;
  createdAt: number;
  nextAttemptAt: number;
  leaseOwner: string | null;
  leaseUntil: number | null;
  lastError: string | null;
  deliveredAt: number | null;
}

/** An audit row's stored columns as the record the API hands out (args and target parsed). */
export function auditRowOf(raw: ChainRow): AuditRow {
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

/** A remediation_leases row. */
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

/** A silences row. */
export function silenceOf(r: Row): Silence {
  return {
    id: r.id as number,
    matcher: r.matcher as string,
    reason: r.reason as string,
    createdBy: r.created_by as string,
    startsAt: r.starts_at as number,
    endsAt: r.ends_at as number,
  };
}

/** A monitor_runs row. */
export function monitorRunOf(r: Row): MonitorRun {
  return {
    kind: r.kind as CycleKind,
    holder: r.holder as string,
    startedAt: r.started_at as number,
    finishedAt: num(r.finished_at),
    durationMs: num(r.duration_ms),
    error: str(r.error),
    summary: str(r.summary),
  };
}

/** An incidents row; `flapping` is stored as the integer 0 or 1 on both engines. */
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

/** An autonomy_actions row; `counts` is stored as the integer 0 or 1 on both engines. */
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

/** An approvals row as of `now`: pending or approved past its expiry reads as expired. */
export function approvalOf(r: Row, now: number): Approval {
  const status = r.status as ApprovalStatus;
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
    status: expired ? 'expired' : status,
    createdAt: r.created_at as number,
    expiresAt: r.expires_at as number,
    decidedAt: num(r.decided_at),
    decidedBy: str(r.decided_by),
    usedAt: num(r.used_at),
  };
}

/** An outbox row; the payload column holds the JSON of an `OutboxPayload`. */
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

/** An events row; a NULL optional column is left out of the event rather than set to null. */
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
