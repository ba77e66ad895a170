/**
 * Red confirmation over multi-round-trip requests (MCP 2026-07-28): there is no server→client
 * request to wait on, so a call that needs the user or an operator ends its round with "input
 * required" and the client calls again with the answer. The first round files the approval (URL
 * mode) and says which page to open; a retry carries the approval id back in the signed request
 * state, so it never files a second approval, and only the round that settles the call is audited.
 */
import { argsHash } from '../db/approvals.js';
import {
  fileApproval,
  pendingConfirmation,
  principalOf,
  withdrawApproval,
  type Confirmation,
  type ConfirmRequest,
} from './confirm.js';
import { errorMessage } from '../contracts/errors.js';

/** What one round carries to the next, signed by the server: the call it belongs to, and its approval. */
export interface RoundState {
  tool: string;
  /** `argsHash` of the call's canonical arguments: state minted for another call is ignored. */
  argsHash: string;
  /** Whose call it is: state minted for another identity is ignored. */
  principal: string;
  /** The approval filed in the first round (URL mode); absent when the user confirms by form. */
  approvalId?: string;
}

/** The client's side of the round trip, read by the MCP server from the retried request. */
export interface ConfirmRounds {
  /** `url`: the client opens the approval's dashboard page; `form`: the user ticks a box. */
  via: 'url' | 'form';
  /** The verified state of the previous round; absent on the first round. */
  state?: RoundState;
  /** What the user answered to the previous round's request; absent when the retry carries none. */
  answer?: 'accept' | 'decline' | 'cancel';
}

/**
 * Thrown by the confirm step when the call needs the client's input first. It is not a failure:
 * the pipeline lets it through unrecorded and the MCP server answers with an input-required result.
 */
export class InputRequired extends Error {
  constructor(
    readonly state: RoundState,
    readonly prompt: string,
  ) {
    super('input required');
    this.name = 'InputRequired';
  }
}

/** The message of a URL-mode request: what the page is for. */
export function linkMessage(plan: string, approvalId: string): string {
  return `vigil needs an operator's approval to ${plan}. Open this page, sign in with the operator token, and approve or deny approval ${approvalId}.`;
}

/**
 * One round of a red call's confirmation. Throws `InputRequired` while the client has to answer;
 * otherwise the confirmation, as `confirmCall` gives it: confirmed (and the approval used), denied,
 * or pending when the user opened the page but the operator has not decided yet.
 */
export async function confirmRound(req: ConfirmRequest, rounds: ConfirmRounds): Promise<Confirmation> {
  const plan = req.tool.plan(req.args);
  const principal = principalOf(req.caller);
  const call = { tool: req.tool.name, argsHash: argsHash(req.args), principal };
  const previous = rounds.state;
  const state =
    previous &&
    previous.tool === call.tool &&
    previous.argsHash === call.argsHash &&
    previous.principal === call.principal
      ? previous
      : undefined;

  if (!state) {
    if (rounds.via === 'form') throw new InputRequired(call, `Confirm: ${plan}?`);
    const pending = await fileApproval(req, plan, req.caller.sessionId ?? null, principal);
    throw new InputRequired({ ...call, approvalId: pending.approvalId }, linkMessage(plan, pending.approvalId));
  }
  const id = state.approvalId;
  if (rounds.answer === undefined) {
    // A retry without an answer is asked again, for the same approval.
    throw new InputRequired(state, id ? linkMessage(plan, id) : `Confirm: ${plan}?`);
  }
  if (rounds.answer !== 'accept') {
    if (id) return withdrawApproval(req, id, plan, principal, rounds.answer);
    const code = rounds.answer === 'decline' ? 'ERR_CONFIRM_DECLINED' : 'ERR_CONFIRM_CANCELLED';
    return { status: 'denied', code, text: errorMessage(code, plan) };
  }
  if (!id) return { status: 'confirmed' };

  const approval = await req.approvals.get(id, req.now());
  if (approval?.status === 'pending') {
    // The page was opened but the operator has not decided: redeem it later with approval_id.
    const pending = pendingConfirmation(approval, req.tool.name);
    return { ...pending, text: `The operator has not decided yet. ${pending.text}` };
  }
  const check = await req.approvals.consume(id, { tool: call.tool, args: req.args, principal }, req.now());
  if (!check.ok) return { status: 'denied', code: check.code, text: check.reason };
  return { status: 'confirmed', approvalId: id };
}
