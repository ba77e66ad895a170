// Pins approvals: bound to tool, canonical args and the requester's principal (not its session); single use; expiring; denied or re-decided requests are refused.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createApprovalStore, type NewApproval } from '../../src/db/approvals.js';
import { openTracked, tempDbPath } from './helpers.js';

const T0 = 1_700_000_000_000;
const TTL = 10 * 60_000;
const REQUEST: NewApproval = {
  tool: 'stop_guest',
  args: { node: 'pve1', vmid: 101, timeout: 30 },
  sessionId: 'session-a',
  principal: 'assistant-token',
  callerKind: 'assistant',
  callerId: 'claude',
  plan: 'stop VM 101 on pve1',
  ttlMs: TTL,
};
const CALL = { tool: REQUEST.tool, args: REQUEST.args, principal: 'assistant-token' };

function store() {
  return createApprovalStore(openTracked(tempDbPath()));
}

describe('approvals', () => {
  it('creates a pending approval, lists it, and lets an approved one be used once for the exact call', () => {
    const approvals = store();
    const a = approvals.create(REQUEST, T0);
    expect(a).toMatchObject({
      status: 'pending',
      tool: 'stop_guest',
      sessionId: 'session-a',
      createdAt: T0,
      expiresAt: T0 + TTL,
      decidedAt: null,
      usedAt: null,
    });
    expect(a.id).toMatch(/^apr_[A-Za-z0-9_-]{12}$/);
    expect(approvals.pending(T0 + 1).map((p) => p.id)).toEqual([a.id]);

    expect(approvals.decide(a.id, 'approved', 'operator', T0 + 1000)).toMatchObject({
      ok: true,
      approval: { status: 'approved', decidedBy: 'operator' },
    });
    expect(approvals.pending(T0 + 1001)).toEqual([]);
    // Key order of the arguments does not matter: they are compared in canonical form.
    const used = approvals.consume(a.id, { ...CALL, args: { timeout: 30, vmid: 101, node: 'pve1' } }, T0 + 2000);
    expect(used).toMatchObject({ ok: true, approval: { status: 'used', usedAt: T0 + 2000 } });
    expect(approvals.get(a.id, T0 + 3000)).toMatchObject({ status: 'used', usedAt: T0 + 2000, decidedBy: 'operator' });
  });

  it('is single-use', () => {
    const approvals = store();
    const a = approvals.create(REQUEST, T0);
    approvals.decide(a.id, 'approved', 'operator', T0);
    expect(approvals.consume(a.id, CALL, T0 + 1).ok).toBe(true);
    const again = approvals.consume(a.id, CALL, T0 + 2);
    expect(again).toMatchObject({ ok: false, reason: expect.stringContaining('already used') });
  });

  it('cannot be used before an operator approves it', () => {
    const approvals = store();
    const a = approvals.create(REQUEST, T0);
    expect(approvals.consume(a.id, CALL, T0 + 1)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('is pending, not approved'),
    });
  });

  it('expires: neither decided nor used after its TTL', () => {
    const approvals = store();
    const late = approvals.create(REQUEST, T0);
    expect(approvals.decide(late.id, 'approved', 'operator', T0 + TTL)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('expired'),
    });
    expect(approvals.get(late.id, T0 + TTL)?.status).toBe('expired');

    const a = approvals.create(REQUEST, T0);
    expect(approvals.decide(a.id, 'approved', 'operator', T0 + TTL - 1).ok).toBe(true);
    expect(approvals.consume(a.id, CALL, T0 + TTL)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('expired'),
    });
    expect(approvals.pending(T0 + TTL)).toEqual([]);
  });

  it('refuses a call whose arguments differ, and stays usable for the right call', () => {
    const approvals = store();
    const a = approvals.create(REQUEST, T0);
    approvals.decide(a.id, 'approved', 'operator', T0);
    for (const args of [
      { ...REQUEST.args, vmid: 102 },
      { node: 'pve1', vmid: 101 },
      { ...REQUEST.args, extra: true },
    ]) {
      expect(approvals.consume(a.id, { ...CALL, args }, T0 + 1)).toMatchObject({
        ok: false,
        reason: expect.stringContaining('arguments differ'),
      });
    }
    expect(approvals.consume(a.id, CALL, T0 + 2).ok).toBe(true);
  });

  it('is bound to the principal, not the session: another identity is refused, so is a pre-principal row', () => {
    const approvals = store();
    const a = approvals.create(REQUEST, T0);
    approvals.decide(a.id, 'approved', 'operator', T0);
    expect(approvals.consume(a.id, { ...CALL, principal: 'oauth:mallory' }, T0 + 1)).toMatchObject({
      ok: false,
      code: 'ERR_APPROVAL_MISMATCH',
      reason: expect.stringContaining('another identity'),
    });
    expect(approvals.consume(a.id, { ...CALL, principal: '' }, T0 + 1)).toMatchObject({ ok: false });
    // The session is kept for the record only; redeeming needs none.
    expect(approvals.get(a.id, T0 + 1)).toMatchObject({ sessionId: 'session-a', principal: 'assistant-token' });
    expect(approvals.consume(a.id, CALL, T0 + 2).ok).toBe(true);
  });

  it('refuses a call to another tool', () => {
    const approvals = store();
    const a = approvals.create(REQUEST, T0);
    approvals.decide(a.id, 'approved', 'operator', T0);
    expect(approvals.consume(a.id, { ...CALL, tool: 'reboot_guest' }, T0 + 1)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('issued for stop_guest, not reboot_guest'),
    });
  });

  it('refuses to use a denied approval', () => {
    const approvals = store();
    const a = approvals.create(REQUEST, T0);
    expect(approvals.decide(a.id, 'denied', 'operator', T0 + 1)).toMatchObject({
      ok: true,
      approval: { status: 'denied' },
    });
    expect(approvals.consume(a.id, CALL, T0 + 2)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('is denied, not approved'),
    });
  });

  it('refuses to decide twice, either way', () => {
    const approvals = store();
    const a = approvals.create(REQUEST, T0);
    approvals.decide(a.id, 'approved', 'operator', T0 + 1);
    expect(approvals.decide(a.id, 'denied', 'operator', T0 + 2)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('already approved'),
    });
    expect(approvals.decide(a.id, 'approved', 'operator', T0 + 2)).toMatchObject({ ok: false });
    const b = approvals.create(REQUEST, T0);
    approvals.decide(b.id, 'denied', 'operator', T0 + 1);
    expect(approvals.decide(b.id, 'approved', 'operator', T0 + 2)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('already denied'),
    });
    expect(approvals.get(b.id, T0 + 3)?.status).toBe('denied');
  });

  it('refuses unknown ids', () => {
    const approvals = store();
    expect(approvals.decide('apr_nope', 'approved', 'operator', T0)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('does not exist'),
    });
    expect(approvals.consume('apr_nope', CALL, T0)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('does not exist'),
    });
  });

  it('lets only one of two connections use an approval', () => {
    const file = tempDbPath();
    const a = createApprovalStore(openTracked(file));
    const b = createApprovalStore(openTracked(file));
    const approval = a.create(REQUEST, T0);
    b.decide(approval.id, 'approved', 'operator', T0 + 1);
    const results = [a.consume(approval.id, CALL, T0 + 2), b.consume(approval.id, CALL, T0 + 2)];
    expect(results.map((r) => r.ok)).toEqual([true, false]);
  });

  it('property: only the principal it was filed for redeems it, whichever session asks', () => {
    const approvals = store();
    const principal = fc.string({ minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(principal, principal, fc.option(fc.string(), { nil: null }), (owner, other, session) => {
        fc.pre(owner !== other);
        const a = approvals.create({ ...REQUEST, principal: owner, sessionId: session }, T0);
        approvals.decide(a.id, 'approved', 'operator', T0);
        const stolen = approvals.consume(a.id, { ...CALL, principal: other }, T0 + 1);
        expect(stolen).toMatchObject({ ok: false, code: 'ERR_APPROVAL_MISMATCH' });
        expect(approvals.consume(a.id, { ...CALL, principal: owner }, T0 + 2).ok).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
