/**
 * Step 6 of executeTool: exactly one audit row per call, whatever happened, with redacted
 * arguments, target and error. The only place that appends tool calls to the audit log.
 */
import type { Caller, Tier, ToolTarget } from '../../contracts/tiers.js';
import type { Redactor } from '../../safety/redact.js';
import type { ToolDeps } from '../deps.js';
import { decisionOf, errorOf, type Settled } from '../result.js';

/** What the audit row says about the call besides its answer. */
export interface CallFacts {
  tool: string;
  caller: Caller;
  at: number;
  durationMs: number;
  /** Null when the call never reached a tool (unknown name, invalid arguments). */
  tier: Tier | null;
  args: unknown;
  target: ToolTarget | null;
  approvalId: string | null;
}

/** Appends the call's audit row; returns its id. */
export function recordCall(
  audit: Pick<ToolDeps['stores']['audit'], 'append'>,
  redact: Redactor,
  facts: CallFacts,
  settled: Settled,
): Promise<number> {
  const error = errorOf(settled);
  return audit.append({
    at: facts.at,
    callerKind: facts.caller.kind,
    callerId: facts.caller.id,
    sessionId: facts.caller.sessionId ?? null,
    tool: facts.tool,
    tier: facts.tier,
    args: redact(facts.args),
    target: redact(facts.target),
    ...decisionOf(settled),
    durationMs: Math.round(facts.durationMs * 1000) / 1000,
    error: error === null ? null : (redact(error) as string),
    approvalId: facts.approvalId,
  });
}
