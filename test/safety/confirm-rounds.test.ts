// Pins red confirmation across 2026-07-28 rounds: the first round files one approval and asks; a retry with the signed state never files another; the answer decides (withdrawn, pending, used); state minted for another call, identity or arguments is ignored.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createApprovalStore } from '../../src/db/approvals.js';
import { createEventStore } from '../../src/db/events.js';
import { createEventBus } from '../../src/realtime/bus.js';
import { confirmRound, InputRequired, type ConfirmRounds, type RoundState } from '../../src/safety/confirm-rounds.js';
import type { ConfirmRequest } from '../../src/safety/confirm.js';
import { openTracked, tempDbPath } from '../db/helpers.js';

const T0 = 1_700_000_000_000;

function setup() {
  const db = openTracked(tempDbPath());
  const approvals = createApprovalStore(db);
  const bus = createEventBus({ store: createEventStore(db), now: () => T0 });
  const request = (args: Record<string, unknown> = { node: 'pve1', vmid: 101 }, principal = 'assistant-token') =>
    ({
      tool: {
        name: 'stop_guest',
        plan: (a: Record<string, unknown>) => `stop VM ${String(a.vmid)} on ${String(a.node)}`,
      },
      args,
      caller: { kind: 'assistant', id: 'claude', principal },
      approvalId: null,
      elicit: undefined,
      approvals,
      ttlMs: 600_000,
      now: () => T0,
      bus,
    }) satisfies ConfirmRequest;
  return { approvals, request };
}

/** The state a round asked with (it throws InputRequired); fails when the round settled instead. */
function asked(run: () => unknown): InputRequired {
  try {
    run();
  } catch (err) {
    if (err instanceof InputRequired) return err;
    throw err;
  }
  throw new Error('the round settled instead of asking');
}

describe('confirmRound', () => {
  it('files one approval in the first round, and a retry without an answer asks again for the same one', () => {
    const { approvals, request } = setup();
    const first = asked(() => confirmRound(request(), { via: 'url' }));
    expect(first.state.approvalId).toMatch(/^apr_/);
    expect(first.prompt).toContain(first.state.approvalId);
    const again = asked(() => confirmRound(request(), { via: 'url', state: first.state }));
    expect(again.state).toEqual(first.state);
    expect(approvals.recent(10, T0)).toHaveLength(1);
  });

  it('answers pending while the operator has not decided, and confirms once approved, using the approval', () => {
    const { approvals, request } = setup();
    const { state } = asked(() => confirmRound(request(), { via: 'url' }));
    const retry: ConfirmRounds = { via: 'url', state, answer: 'accept' };
    expect(confirmRound(request(), retry)).toMatchObject({ status: 'pending', approvalId: state.approvalId });
    approvals.decide(state.approvalId!, 'approved', 'operator', T0);
    expect(confirmRound(request(), retry)).toEqual({ status: 'confirmed', approvalId: state.approvalId });
    expect(approvals.get(state.approvalId!, T0)?.status).toBe('used');
    expect(confirmRound(request(), retry)).toMatchObject({ status: 'denied', code: 'ERR_APPROVAL_USED' });
    expect(approvals.recent(10, T0)).toHaveLength(1);
  });

  it('withdraws the approval when the user declines or cancels the page', () => {
    for (const answer of ['decline', 'cancel'] as const) {
      const { approvals, request } = setup();
      const { state } = asked(() => confirmRound(request(), { via: 'url' }));
      const result = confirmRound(request(), { via: 'url', state, answer });
      expect(result).toMatchObject({
        status: 'denied',
        code: answer === 'decline' ? 'ERR_CONFIRM_DECLINED' : 'ERR_CONFIRM_CANCELLED',
      });
      expect(approvals.get(state.approvalId!, T0)?.status).toBe('denied');
    }
  });

  it('confirms by form without filing an approval', () => {
    const { approvals, request } = setup();
    const { state } = asked(() => confirmRound(request(), { via: 'form' }));
    expect(state.approvalId).toBeUndefined();
    expect(confirmRound(request(), { via: 'form', state, answer: 'accept' })).toEqual({ status: 'confirmed' });
    expect(approvals.recent(10, T0)).toEqual([]);
  });

  it('ignores state minted for another call, identity or arguments: that round starts over', () => {
    fc.assert(
      fc.property(
        fc.record({
          tool: fc.constantFrom('stop_guest', 'reboot_node'),
          vmid: fc.integer({ min: 100, max: 103 }),
          principal: fc.constantFrom('assistant-token', 'oauth:alice'),
        }),
        (other) => {
          const { request } = setup();
          const { state } = asked(() => confirmRound(request(), { via: 'form' }));
          const same = other.tool === 'stop_guest' && other.vmid === 101 && other.principal === 'assistant-token';
          const foreign: RoundState = { ...state, tool: other.tool, principal: other.principal };
          const call = request({ node: 'pve1', vmid: other.vmid });
          const rounds: ConfirmRounds = {
            via: 'form',
            state: other.vmid === 101 ? foreign : state,
            answer: 'accept',
          };
          if (same) {
            expect(confirmRound(call, rounds)).toEqual({ status: 'confirmed' });
          } else {
            expect(asked(() => confirmRound(call, rounds)).state.tool).toBe('stop_guest');
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
