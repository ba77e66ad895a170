/**
 * Approvals on PostgreSQL, shared by every daemon: one asked on one daemon can be approved and
 * redeemed on the other. Deciding and consuming lock the approval row (SELECT … FOR UPDATE) for
 * the check and the change, so two daemons cannot both use one approval. The checks and their
 * order are the SQLite store's.
 */
import { randomBytes } from 'node:crypto';
import { canonicalJson } from '../../util/canonical.js';
import { errorMessage, type ErrorArgs, type ErrorCode } from '../../contracts/errors.js';
import { argsHash, type Approval, type ApprovalCheck, type NewApproval, type RedeemingCall } from '../approvals.js';
import type { ApprovalPort } from '../ports.js';
import { inTransaction, one, rows, type Pool } from './pool.js';
import { approvalOf, type Row } from './rows.js';

function refused<C extends ErrorCode>(code: C, ...args: ErrorArgs<C>): { ok: false; code: C; reason: string } {
  return { ok: false, code, reason: errorMessage(code, ...args) };
}

const LOCK_ONE = 'SELECT * FROM approvals WHERE id = $1 FOR UPDATE';

/** Creates the approval port over a pool (schema migrated). */
export function createPgApprovals(pool: Pool): ApprovalPort {
  return {
    async create(request: NewApproval, now: number): Promise<Approval> {
      const id = `apr_${randomBytes(9).toString('base64url')}`;
      const row = await one<Row>(
        pool,
        `INSERT INTO approvals (id, tool, args, args_hash, session_id, principal, caller_kind, caller_id, plan, status, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11) RETURNING *`,
        [
          id,
          request.tool,
          canonicalJson(request.args),
          argsHash(request.args),
          request.sessionId,
          request.principal ?? `${request.callerKind}:${request.callerId}`,
          request.callerKind,
          request.callerId,
          request.plan,
          now,
          now + request.ttlMs,
        ],
      );
      return approvalOf(row!, now);
    },
    async get(id: string, now: number) {
      const row = await one<Row>(pool, 'SELECT * FROM approvals WHERE id = $1', [id]);
      return row ? approvalOf(row, now) : undefined;
    },
    async pending(now: number) {
      const found = await rows<Row>(
        pool,
        `SELECT * FROM approvals WHERE status = 'pending' AND expires_at > $1 ORDER BY created_at`,
        [now],
      );
      return found.map((r) => approvalOf(r, now));
    },
    async recent(limit: number, now: number) {
      const found = await rows<Row>(pool, 'SELECT * FROM approvals ORDER BY created_at DESC LIMIT $1', [
        Math.min(Math.max(limit, 1), 500),
      ]);
      return found.map((r) => approvalOf(r, now));
    },
    /** Approves or denies a pending, unexpired request. Only operator-authenticated paths call this. */
    decide: (id: string, verdict: 'approved' | 'denied', by: string, now: number): Promise<ApprovalCheck> =>
      inTransaction(pool, async (c) => {
        const raw = await one<Row>(c, LOCK_ONE, [id]);
        if (!raw) return refused('ERR_APPROVAL_NOT_FOUND', id);
        const current = approvalOf(raw, now);
        if (current.status === 'expired') return refused('ERR_APPROVAL_EXPIRED', id);
        if (current.status !== 'pending') return refused('ERR_APPROVAL_DECIDED', id, current.status);
        await c.query('UPDATE approvals SET status = $1, decided_at = $2, decided_by = $3 WHERE id = $4', [
          verdict,
          now,
          by,
          id,
        ]);
        return { ok: true, approval: { ...current, status: verdict, decidedAt: now, decidedBy: by } };
      }),
    /** Uses an approved request for exactly this call, once. */
    consume: (id: string, call: RedeemingCall, now: number): Promise<ApprovalCheck> =>
      inTransaction(pool, async (c) => {
        const raw = await one<Row>(c, LOCK_ONE, [id]);
        if (!raw) return refused('ERR_APPROVAL_NOT_FOUND', id);
        const current = approvalOf(raw, now);
        if (current.status === 'used') return refused('ERR_APPROVAL_USED', id);
        if (current.status === 'expired') return refused('ERR_APPROVAL_EXPIRED', id);
        if (current.status !== 'approved') return refused('ERR_APPROVAL_NOT_APPROVED', id, current.status);
        if (raw.tool !== call.tool) {
          return refused('ERR_APPROVAL_MISMATCH', id, `it was issued for ${raw.tool as string}, not ${call.tool}`);
        }
        if (raw.args_hash !== argsHash(call.args)) {
          return refused('ERR_APPROVAL_MISMATCH', id, 'the arguments differ from the approved ones');
        }
        // Rows from before principals existed carry '' and match no one: they were session-bound.
        if (raw.principal === '' || raw.principal !== call.principal) {
          return refused('ERR_APPROVAL_MISMATCH', id, 'it was issued to another identity');
        }
        await c.query(`UPDATE approvals SET status = 'used', used_at = $1 WHERE id = $2`, [now, id]);
        return { ok: true, approval: { ...current, status: 'used', usedAt: now } };
      }),
  };
}
