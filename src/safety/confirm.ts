/**
 * Confirmation of red calls (docs/ARCHITECTURE.md §5). It denies whenever it cannot ask: no elicitation and no
 * approval means a pending approval, never a run. `confirmed: true` in the arguments counts for
 * nothing — the model can set it.
 */
import type { Approval } from '../db/approvals.js';
import type { ApprovalPort } from '../db/ports.js';
import type { EventBus } from '../realtime/bus.js';
import type { Caller } from '../contracts/tiers.js';
import { errorMessage, type ErrorArgs, type ErrorCode } from '../contracts/errors.js';
import { awaitDecision, type ApprovalLink } from './approval-link.js';

/** Asks the human through the MCP client; resolves to what they answered. */
export type Elicit = (message: string) => Promise<'accept' | 'decline' | 'cancel'>;

export type Confirmation =
  | { status: 'confirmed'; approvalId?: string }
  | { status: 'denied'; code: ErrorCode; text: string }
  | { status: 'pending'; approvalId: string; text: string; data: PendingApprovalData };

/** The structured data of a call that waits for an operator's approval. */
export interface PendingApprovalData {
  [key: string]: unknown;
  status: 'pending_approval';
  approvalId: string;
  expiresAt: number;
  plan: string;
  tool: string;
}

/** What confirmation needs of a tool: its name and its plan in words. */
export interface ConfirmTool {
  name: string;
  plan(args: Record<string, unknown>): string;
}

/** The identity an approval is bound to: the authenticated principal, else the caller's kind and id. */
export function principalOf(caller: Caller): string {
  return caller.principal ?? `${caller.kind}:${caller.id}`;
}

function denied<C extends ErrorCode>(code: C, ...args: ErrorArgs<C>): Confirmation {
  return { status: 'denied', code, text: errorMessage(code, ...args) };
}

export interface ConfirmRequest {
  tool: ConfirmTool;
  args: Record<string, unknown>;
  caller: Caller;
  approvalId: string | null;
  elicit: Elicit | undefined;
  /** Present when the client takes URL-mode elicitation: the confirmation is the approval's dashboard page. */
  link?: ApprovalLink;
  approvals: ApprovalPort;
  ttlMs: number;
  now: () => number;
  bus: EventBus;
  /** Why the monitor proposes instead of acting, when it does. */
  reason?: string;
}

/**
 * URL-mode confirmation: files the approval, asks the client to open its dashboard page, and waits
 * (up to the link's bound) for the operator. Still undecided then: the pending approval, to redeem
 * later. Declined or cancelled by the user: the approval is withdrawn (denied) and the call refused.
 */
async function confirmByLink(
  req: ConfirmRequest,
  link: ApprovalLink,
  plan: string,
  sessionId: string | null,
  principal: string,
): Promise<Confirmation> {
  const pending = await fileApproval(req, plan, sessionId, principal);
  const id = pending.approvalId;
  let answer: 'accept' | 'decline' | 'cancel';
  try {
    answer = await link.open(
      id,
      `vigil needs an operator's approval to ${plan}. Open this page, sign in with the operator token, and approve or deny approval ${id}.`,
    );
  } catch {
    // Could not ask: the approval stays pending for an operator, and nothing runs.
    return pending;
  }
  if (answer !== 'accept') return withdrawApproval(req, id, plan, principal, answer);
  const decided = await awaitDecision({
    approvals: req.approvals,
    id,
    now: req.now,
    waitMs: link.waitMs,
    ...(link.signal ? { signal: link.signal } : {}),
  });
  if (decided?.status === 'pending') {
    return { ...pending, text: `The operator has not decided yet. ${pending.text}` };
  }
  // Best effort: the answer below tells the client the same.
  await link.complete(id).catch(() => undefined);
  if (decided?.status !== 'approved') {
    return decided?.status === 'expired'
      ? denied('ERR_APPROVAL_EXPIRED', id)
      : denied('ERR_APPROVAL_NOT_APPROVED', id, decided?.status ?? 'gone');
  }
  const check = await req.approvals.consume(id, { tool: req.tool.name, args: req.args, principal }, req.now());
  if (!check.ok) return { status: 'denied', code: check.code, text: check.reason };
  return { status: 'confirmed', approvalId: id };
}

/**
 * The requester declined or cancelled the approval's page: the approval is withdrawn (denied, and
 * announced) and the call refused.
 */
export async function withdrawApproval(
  req: Pick<ConfirmRequest, 'approvals' | 'bus' | 'now' | 'tool'>,
  id: string,
  plan: string,
  principal: string,
  answer: 'decline' | 'cancel',
): Promise<Confirmation> {
  const how = answer === 'decline' ? 'declined' : 'cancelled';
  const withdrawn = await req.approvals.decide(id, 'denied', `${principal} (${how} the link)`, req.now());
  if (withdrawn.ok) {
    await req.bus.publish({
      type: 'approval.resolved',
      severity: 'info',
      title: `approval withdrawn: ${req.tool.name}`,
      message: `the requester ${how} the approval page for "${plan}"`,
      target: id,
      data: { approvalId: id, tool: req.tool.name, verdict: 'denied', by: principal },
    });
  }
  return answer === 'decline' ? denied('ERR_CONFIRM_DECLINED', plan) : denied('ERR_CONFIRM_CANCELLED', plan);
}

/** Confirms one call: redeems an approval, asks through elicitation, or files a pending approval. */
export async function confirmCall(req: ConfirmRequest): Promise<Confirmation> {
  const plan = req.tool.plan(req.args);
  const sessionId = req.caller.sessionId ?? null;
  const principal = principalOf(req.caller);

  if (req.approvalId !== null) {
    const check = await req.approvals.consume(
      req.approvalId,
      { tool: req.tool.name, args: req.args, principal },
      req.now(),
    );
    if (!check.ok) return { status: 'denied', code: check.code, text: check.reason };
    return { status: 'confirmed', approvalId: check.approval.id };
  }

  if (req.link) return confirmByLink(req, req.link, plan, sessionId, principal);

  if (req.elicit) {
    let answer: 'accept' | 'decline' | 'cancel';
    try {
      answer = await req.elicit(`Confirm: ${plan}?`);
    } catch (err) {
      // Could not ask: deny, never proceed.
      const why = err instanceof Error ? err.message : String(err);
      return denied('ERR_CONFIRM_FAILED', why);
    }
    if (answer === 'accept') return { status: 'confirmed' };
    return answer === 'decline' ? denied('ERR_CONFIRM_DECLINED', plan) : denied('ERR_CONFIRM_CANCELLED', plan);
  }

  return fileApproval(req, plan, sessionId, principal);
}

/** Files a pending approval for an operator, announces it, and says how to redeem it. */
export async function fileApproval(
  req: ConfirmRequest,
  plan: string,
  sessionId: string | null,
  principal: string,
): Promise<Extract<Confirmation, { status: 'pending' }>> {
  const approval = await req.approvals.create(
    {
      tool: req.tool.name,
      args: req.args,
      sessionId,
      principal,
      callerKind: req.caller.kind,
      callerId: req.caller.id,
      plan,
      ttlMs: req.ttlMs,
    },
    req.now(),
  );
  await req.bus.publish({
    type: 'approval.requested',
    severity: 'warning',
    title: `approval needed: ${req.tool.name}`,
    message: `${req.caller.kind} ${req.caller.id} asks to ${plan}${req.reason ? ` (${req.reason})` : ''}`,
    target: approval.id,
    data: {
      approvalId: approval.id,
      tool: req.tool.name,
      args: req.args,
      plan,
      expiresAt: approval.expiresAt,
      caller: req.caller.kind,
    },
  });
  return pendingConfirmation(approval, req.tool.name);
}

/** The answer for a call whose approval waits for an operator: how to redeem it, and its data. */
export function pendingConfirmation(
  approval: Pick<Approval, 'id' | 'expiresAt' | 'plan'>,
  tool: string,
): Extract<Confirmation, { status: 'pending' }> {
  const plan = approval.plan;
  const expires = new Date(approval.expiresAt).toISOString();
  return {
    status: 'pending',
    approvalId: approval.id,
    text:
      `Not run yet: "${plan}" needs an operator's approval. Approval ${approval.id} is pending until ${expires}. ` +
      `An operator approves it with \`vigil approve ${approval.id}\`, the dashboard or ` +
      `POST /api/approvals/${approval.id}/approve; then call ${tool} again with the same arguments ` +
      `and "approval_id": "${approval.id}".`,
    data: {
      status: 'pending_approval',
      approvalId: approval.id,
      expiresAt: approval.expiresAt,
      plan,
      tool,
    },
  };
}
