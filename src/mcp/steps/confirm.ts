/**
 * Step 4 of executeTool: red calls (and the monitor's proposals, and any call that brings an
 * `approval_id`) are confirmed by `confirmCall` in `src/safety/confirm.ts`, which denies whenever
 * it cannot ask. This step only says when it applies and what it needs.
 */
import type { Caller } from '../../contracts/tiers.js';
import { confirmCall, type Confirmation, type Elicit } from '../../safety/confirm.js';
import type { ApprovalLink } from '../../safety/approval-link.js';
import { confirmRound, type ConfirmRounds } from '../../safety/confirm-rounds.js';
import type { GateDecision } from '../../safety/gate.js';
import type { ToolDeps } from '../deps.js';
import type { AdmittedCall } from './admit.js';

/** Whether the call must be confirmed before it runs. */
export function needsConfirmation(verdict: GateDecision, approvalId: string | null): boolean {
  return verdict.verdict === 'confirm' || verdict.verdict === 'propose' || approvalId !== null;
}

/**
 * Confirms one call: redeems its approval, asks through elicitation, or files a pending approval.
 * A 2026-07-28 client (`ask.rounds`) is asked by ending the round instead: this throws
 * `InputRequired` until its retry brings the answer.
 */
export function confirmStep(
  call: AdmittedCall,
  verdict: GateDecision,
  caller: Caller,
  approvalId: string | null,
  ask: { elicit?: Elicit; link?: ApprovalLink; rounds?: ConfirmRounds },
  deps: ToolDeps,
): Promise<Confirmation> {
  const safety = deps.config.safety;
  const canAsk = verdict.verdict === 'confirm' && safety.confirmation === 'elicit';
  const request = {
    tool: call.tool,
    args: call.args,
    caller,
    approvalId,
    // Elicitation (form, or URL mode to the approval's page) only answers the assistant's red calls,
    // and only when the config asks for it.
    elicit: canAsk ? ask.elicit : undefined,
    ...(canAsk && ask.link ? { link: ask.link } : {}),
    approvals: deps.stores.approvals,
    ttlMs: safety.approvalTtlSeconds * 1000,
    now: deps.now,
    bus: deps.bus,
    reason: verdict.verdict === 'propose' ? verdict.reason : undefined,
  };
  // An approval_id in the arguments is redeemed as from any client; only asking differs.
  if (canAsk && ask.rounds && approvalId === null) return confirmRound(request, ask.rounds);
  return confirmCall(request);
}
