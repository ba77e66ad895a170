/**
 * Pending approvals for red actions (docs/ARCHITECTURE.md §5): bound to the tool, the canonical arguments and the
 * requester's identity (its principal: the assistant token, or `oauth:<sub>`), not to its MCP session,
 * so a one-shot client can redeem from a new process what it asked for in an old one; single-use;
 * expiring. Checks and state changes happen in one IMMEDIATE transaction so two processes cannot
 * both use one approval.
 */
import { randomBytes } from 'node:crypto';
import { boundLimit, type Db } from './database.js';
import { canonicalJson, sha256 } from '../util/canonical.js';
import { errorMessage, type ErrorArgs, type ErrorCode } from '../contracts/errors.js';
import { APPROVAL_STATUSES, approvalOf, type Approval, type ApprovalStatus, type Row } from './rows.js';

export { APPROVAL_STATUSES, type Approval, type ApprovalStatus };

/** What a new request carries: the call it is bound to, and how long it may wait. */
export interface NewApproval extends Pick<
  Approval,
  'tool' | 'args' | 'sessionId' | 'callerKind' | 'callerId' | 'plan'
> {
  /** Default `<callerKind>:<callerId>`, as for a caller without an authenticated principal. */
  principal?: string;
  ttlMs: number;
}

/** The call that redeems an approval: it must match the approval's tool, arguments and principal. */
export interface RedeemingCall {
  tool: string;
  args: Record<string, unknown>;
  principal: string;
}

/** A refused check carries its registry code (what callers branch on) and the message for people. */
export type ApprovalCheck = { ok: true; approval: Approval } | { ok: false; code: ErrorCode; reason: string };

/** Hash of the canonical form of a call's arguments: what an approval is bound to. */
export function argsHash(args: Record<string, unknown>): string {
  return sha256(canonicalJson(args));
}

/** Creates the approval store over an open database. */
export function createApprovalStore(db: Db) {
  const insert = db.prepare(
    `INSERT INTO approvals (id, tool, args, args_hash, session_id, principal, caller_kind, caller_id, plan, status, created_at, expires_at)
     VALUES (@id, @tool, @args, @args_hash, @session_id, @principal, @caller_kind, @caller_id, @plan, 'pending', @created_at, @expires_at)`,
  );
  const byId = db.prepare<[string], Row>('SELECT * FROM approvals WHERE id = ?');
  const pending = db.prepare<[number], Row>(
    `SELECT * FROM approvals WHERE status = 'pending' AND expires_at > ? ORDER BY created_at`,
  );
  const recent = db.prepare<[number], Row>(`SELECT * FROM approvals ORDER BY created_at DESC ${boundLimit()}`);
  const decide = db.prepare('UPDATE approvals SET status = ?, decided_at = ?, decided_by = ? WHERE id = ?');
  const markUsed = db.prepare(`UPDATE approvals SET status = 'used', used_at = ? WHERE id = ?`);

  const decideTx = db.transaction(
    (id: string, verdict: 'approved' | 'denied', by: string, now: number): ApprovalCheck => {
      const raw = byId.get(id);
      if (!raw) return refused('ERR_APPROVAL_NOT_FOUND', id);
      const current = approvalOf(raw, now);
      if (current.status === 'expired') return refused('ERR_APPROVAL_EXPIRED', id);
      if (current.status !== 'pending') return refused('ERR_APPROVAL_DECIDED', id, current.status);
      decide.run(verdict, now, by, id);
      return { ok: true, approval: { ...current, status: verdict, decidedAt: now, decidedBy: by } };
    },
  );

  const consumeTx = db.transaction((id: string, call: RedeemingCall, now: number): ApprovalCheck => {
    const raw = byId.get(id);
    if (!raw) return refused('ERR_APPROVAL_NOT_FOUND', id);
    const current = approvalOf(raw, now);
    if (current.status === 'used') return refused('ERR_APPROVAL_USED', id);
    if (current.status === 'expired') return refused('ERR_APPROVAL_EXPIRED', id);
    if (current.status !== 'approved') return refused('ERR_APPROVAL_NOT_APPROVED', id, current.status);
    if (current.tool !== call.tool) {
      return refused('ERR_APPROVAL_MISMATCH', id, `it was issued for ${current.tool}, not ${call.tool}`);
    }
    if (raw.args_hash !== argsHash(call.args)) {
      return refused('ERR_APPROVAL_MISMATCH', id, 'the arguments differ from the approved ones');
    }
    // Rows from before principals existed carry '' and match no one: they were session-bound.
    if (current.principal === '' || current.principal !== call.principal) {
      return refused('ERR_APPROVAL_MISMATCH', id, 'it was issued to another identity');
    }
    markUsed.run(now, id);
    return { ok: true, approval: { ...current, status: 'used', usedAt: now } };
  });

  return {
    create(request: NewApproval, now: number): Approval {
      const id = `apr_${randomBytes(9).toString('base64url')}`;
      insert.run({
        id,
        tool: request.tool,
        args: canonicalJson(request.args),
        args_hash: argsHash(request.args),
        session_id: request.sessionId,
        principal: request.principal ?? `${request.callerKind}:${request.callerId}`,
        caller_kind: request.callerKind,
        caller_id: request.callerId,
        plan: request.plan,
        created_at: now,
        expires_at: now + request.ttlMs,
      });
      return approvalOf(byId.get(id)!, now);
    },
    get(id: string, now: number): Approval | undefined {
      const raw = byId.get(id);
      return raw ? approvalOf(raw, now) : undefined;
    },
    pending(now: number): Approval[] {
      return pending.all(now).map((raw) => approvalOf(raw, now));
    },
    recent(limit: number, now: number): Approval[] {
      return recent.all(Math.min(Math.max(limit, 1), 500)).map((raw) => approvalOf(raw, now));
    },
    /** Approves or denies a pending, unexpired request. Only operator-authenticated paths call this. */
    decide(id: string, verdict: 'approved' | 'denied', by: string, now: number): ApprovalCheck {
      return decideTx.immediate(id, verdict, by, now);
    },
    /** Uses an approved request for exactly this call, once. */
    consume(id: string, call: RedeemingCall, now: number): ApprovalCheck {
      return consumeTx.immediate(id, call, now);
    },
  };
}

export type ApprovalStore = ReturnType<typeof createApprovalStore>;

/** A refused check: the registry code and its message. */
function refused<C extends ErrorCode>(code: C, ...args: ErrorArgs<C>): { ok: false; code: C; reason: string } {
  return { ok: false, code, reason: errorMessage(code, ...args) };
}
