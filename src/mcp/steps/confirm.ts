/**
 * Step 4 of executeTool: red calls (and the monitor's proposals, and any call that brings an
 * `approval_id`) are confirmed by `confirmCall` in `src/safety/confirm.ts`, which denies whenever
 * it cannot ask. This step only says when it applies and what it needs.
 */
import type { Caller } from '../../contracts/tiers.js';
import { confirmCall, type Confirmation, type Elicit } from '../../safety/confirm.js';
import type { ApprovalLink } from '../../safety/approval-link.js';
import type { GateDecision } from '../../safety/gate.js';
import type { ToolDeps } from '../deps.js';
import type { AdmittedCall } from './admit.js';

/** Whether the call must be confirmed before it runs. */
export function needsConfirmation(verdict: GateDecision, approvalId: string | null): boolean {
  return verdict.verdict === 'confirm' || verdict.verdict === 'propose' || approvalId !== null;
}

/** Confirms one call: redeems its approval, asks through elicitation, or files a pending approval. */
export function confirmStep(
  call: AdmittedCall,
  verdict: GateDecision,
  caller: Caller,
  approvalId: string | null,
  ask: { elicit?: Elicit; link?: ApprovalLink },
  deps: ToolDeps,
): Promise<Confirmation> {
  const safety = deps.config.safety;
  const canAsk = verdict.verdict === 'confirm' && safety.confirmation === 'elicit';
  return confirmCall({
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
  });
}
