/**
 * Row → record mappings shared by both engines' stores. The PostgreSQL schema is the SQLite one
 * translated, not redesigned, and its pool already reads BIGINT as a number (pg/pool.ts), so one
 * mapping per table hands out identical records on both; the contract suite
 * (test/db/ports.test.ts) runs the same assertions against both. The record types these mappers
 * build live here too, below the table modules that re-export them, so neither engine's store
 * imports the other's and no import runs in a circle.
 */
import type { AuditDecision, AuditOutcome, CallerKind, Tier } from '../contracts/tiers.js';
import type { ActionResult, Condition, CycleKind, IncidentStatus } from '../contracts/conditions.js';
import type { Severity } from '../contracts/events.js';
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
