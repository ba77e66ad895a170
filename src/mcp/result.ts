/**
 * What executeTool answers, as a discriminated union: callers switch on `kind`, then `decision`
 * (and `outcome`), and read typed fields — a pending approval's `approvalId`, a refusal's or a
 * failure's registry `code` — instead of digging in untyped data. `TData` is the data of the
 * tool's successful call (its output schema), so a caller that knows the tool reads it typed.
 */
import type { ErrorCode } from '../contracts/errors.js';
import type { AuditDecision, AuditOutcome } from '../contracts/tiers.js';
import type { PendingApprovalData } from '../safety/confirm.js';
import type { BlockCode, GateBlock } from '../safety/gate.js';

export type { PendingApprovalData };

// Every variant's data stays a string-keyed record, so code that only passes data on (the MCP
// server's structuredContent, the REST body) reads every variant alike.
type Data = Record<string, unknown>;

/** The call never reached a tool: an unknown name, or arguments its schema refuses (an MCP protocol error). */
export interface ProtocolError {
  kind: 'protocol_error';
  code: 'ERR_UNKNOWN_TOOL' | 'ERR_INVALID_ARGS';
  message: string;
  auditId: number;
}

interface Answered {
  kind: 'result';
  /** What the caller reads: the tool's text, the reason for a refusal, or what a failure was. */
  text: string;
  auditId: number;
}

/**
 * Refused without acting: blocked by the gate (or by the kill switch re-checked right before
 * acting, then `outcome` is `error`), or denied at confirmation (declined, a bad approval).
 */
export interface Refused extends Answered {
  decision: 'blocked' | 'denied';
  outcome: 'not_run' | 'error';
  isError: true;
  code: ErrorCode;
  data?: (Data & { status: 'blocked'; code: BlockCode }) | (Data & { status: 'denied' });
}

/** Not run yet: an operator must approve; the caller repeats the call with `approval_id`. */
export interface PendingApproval extends Answered {
  decision: 'pending';
  outcome: 'not_run';
  isError: false;
  approvalId: string;
  data: PendingApprovalData;
}

/** Global dry run (`safety.dryRun`): says what the call would do and does nothing. */
export interface DryRun extends Answered {
  decision: 'dry_run';
  outcome: 'not_run';
  isError: false;
  data: Data & { status: 'dry_run'; plan: string };
}

/** The handler ran and succeeded; `data` is what its output schema declares. */
export interface Succeeded<TData extends Data = Data> extends Answered {
  decision: 'allowed';
  outcome: 'ok';
  isError: false;
  data: TData;
}

/** The handler ran and failed, or did not finish before its deadline. */
export interface Failed extends Answered {
  decision: 'allowed';
  outcome: 'error' | 'timeout';
  isError: true;
  code: ErrorCode;
  data?: undefined;
}

/** Every answer a call that reached its tool can get. */
export type ToolResult<TData extends Data = Data> = Refused | PendingApproval | DryRun | Succeeded<TData> | Failed;

export type ExecuteResult<TData extends Data = Data> = ProtocolError | ToolResult<TData>;

/** An answer before the audit row gives it its id. */
export type Settled<TData extends Data = Data> =
  | Omit<ProtocolError, 'auditId'>
  | Omit<Refused, 'auditId'>
  | Omit<PendingApproval, 'auditId'>
  | Omit<DryRun, 'auditId'>
  | Omit<Succeeded<TData>, 'auditId'>
  | Omit<Failed, 'auditId'>;

/** The audit decision and outcome of an answer (a protocol error never ran). */
export function decisionOf(s: Settled): { decision: AuditDecision; outcome: AuditOutcome } {
  if (s.kind === 'protocol_error') {
    return { decision: s.code === 'ERR_UNKNOWN_TOOL' ? 'unknown_tool' : 'invalid', outcome: 'not_run' };
  }
  return { decision: s.decision, outcome: s.outcome };
}

/** The error text an answer records, or null when it succeeded. */
export function errorOf(s: Settled): string | null {
  if (s.kind === 'protocol_error') return s.message;
  return s.isError ? s.text : null;
}

/** Whether an answer refused the call (blocked or denied): those publish `tool.blocked`. */
export function isRefused(r: ExecuteResult): r is Refused {
  return r.kind === 'result' && (r.decision === 'blocked' || r.decision === 'denied');
}

/** The answer to a call the gate (or its caller, before calling) blocked. */
export function blockedAnswer(block: GateBlock): Omit<Refused, 'auditId'> {
  return {
    kind: 'result',
    decision: 'blocked',
    outcome: 'not_run',
    isError: true,
    code: block.error,
    text: block.reason,
    data: { status: 'blocked', code: block.code },
  };
}

/** The answer to a call denied at confirmation (declined, or an approval that does not cover it). */
export function deniedAnswer(code: ErrorCode, text: string): Omit<Refused, 'auditId'> {
  return {
    kind: 'result',
    decision: 'denied',
    outcome: 'not_run',
    isError: true,
    code,
    text,
    data: { status: 'denied' },
  };
}

/** The answer to a call that waits for an operator's approval. */
export function pendingAnswer(text: string, data: PendingApprovalData): Omit<PendingApproval, 'auditId'> {
  return {
    kind: 'result',
    decision: 'pending',
    outcome: 'not_run',
    isError: false,
    text,
    approvalId: data.approvalId,
    data,
  };
}

/** The answer under the global dry run: what the call would do. */
export function dryRunAnswer(plan: string): Omit<DryRun, 'auditId'> {
  return {
    kind: 'result',
    decision: 'dry_run',
    outcome: 'not_run',
    isError: false,
    text: `dry run (safety.dryRun): would ${plan}`,
    data: { status: 'dry_run', plan },
  };
}
