// Pins red confirmation across 2026-07-28 rounds: the first round files one approval and asks; a retry with the signed state never files another; the answer decides (withdrawn, pending, used); state minted for another call, identity or arguments is ignored.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createSqlitePorts } from '../../src/db/sqlite-ports.js';
import { createEventBus } from '../../src/realtime/bus.js';
import { confirmRound, InputRequired, type ConfirmRounds, type RoundState } from '../../src/safety/confirm-rounds.js';
import type { ConfirmRequest } from '../../src/safety/confirm.js';
import { openTracked, tempDbPath } from '../db/helpers.js';

const T0 = 1_700_000_000_000;

function setup() {
  const ports = createSqlitePorts(openTracked(tempDbPath()));
  const approvals = ports.approvals;
  const bus = createEventBus({ store: ports.events, now: () => T0 });
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
async function asked(run: () => Promise<unknown>): Promise<InputRequired> {
  try {
    await run();
  } catch (err) {
    if (err instanceof InputRequired) return err;
    throw err;
  }
  throw new Error('the round settled instead of asking');
}

describe('confirmRound', () => {
  it('files one approval in the first round, and a retry without an answer asks again for the same one', async () => {
    const { approvals, request } = setup();
    const first = await asked(() => confirmRound(request(), { via: 'url' }));
    expect(first.state.approvalId).toMatch(/^apr_/);
    expect(first.prompt).toContain(first.state.approvalId);
    const again = await asked(() => confirmRound(request(), { via: 'url', state: first.state }));
    expect(again.state).toEqual(first.state);
    expect(await approvals.recent(10, T0)).toHaveLength(1);
  });

  it('answers pending while the operator has not decided, and confirms once approved, using the approval', async () => {
    const { approvals, request } = setup();
    const { state } = await asked(() => confirmRound(request(), { via: 'url' }));
    const retry: ConfirmRounds = { via: 'url', state, answer: 'accept' };
    expect(await confirmRound(request(), retry)).toMatchObject({ status: 'pending', approvalId: state.approvalId });
    await approvals.decide(state.approvalId!, 'approved', 'operator', T0);
    expect(await confirmRound(request(), retry)).toEqual({ status: 'confirmed', approvalId: state.approvalId });
    expect((await approvals.get(state.approvalId!, T0))?.status).toBe('used');
    expect(await confirmRound(request(), retry)).toMatchObject({ status: 'denied', code: 'ERR_APPROVAL_USED' });
    expect(await approvals.recent(10, T0)).toHaveLength(1);
  });

  it('withdraws the approval when the user declines or cancels the page', async () => {
    for (const answer of ['decline', 'cancel'] as const) {
      const { approvals, request } = setup();
      const { state } = await asked(() => confirmRound(request(), { via: 'url' }));
      const result = await confirmRound(request(), { via: 'url', state, answer });
      expect(result).toMatchObject({
        status: 'denied',
        code: answer === 'decline' ? 'ERR_CONFIRM_DECLINED' : 'ERR_CONFIRM_CANCELLED',
      });
      expect((await approvals.get(state.approvalId!, T0))?.status).toBe('denied');
    }
  });

  it('confirms by form without filing an approval', async () => {
    const { approvals, request } = setup();
    const { state } = await asked(() => confirmRound(request(), { via: 'form' }));
    expect(state.approvalId).toBeUndefined();
    expect(await confirmRound(request(), { via: 'form', state, answer: 'accept' })).toEqual({ status: 'confirmed' });
    expect(await approvals.recent(10, T0)).toEqual([]);
  });

  it('ignores state minted for another call, identity or arguments: that round starts over', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          tool: fc.constantFrom('stop_guest', 'reboot_node'),
          vmid: fc.integer({ min: 100, max: 103 }),
          principal: fc.constantFrom('assistant-token', 'oauth:alice'),
        }),
        async (other) => {
          const { request } = setup();
          const { state } = await asked(() => confirmRound(request(), { via: 'form' }));
          const same = other.tool === 'stop_guest' && other.vmid === 101 && other.principal === 'assistant-token';
          const foreign: RoundState = { ...state, tool: other.tool, principal: other.principal };
          const call = request({ node: 'pve1', vmid: other.vmid });
          const rounds: ConfirmRounds = {
            via: 'form',
            state: other.vmid === 101 ? foreign : state,
            answer: 'accept',
          };
          if (same) {
            expect(await confirmRound(call, rounds)).toEqual({ status: 'confirmed' });
          } else {
            expect((await asked(() => confirmRound(call, rounds))).state.tool).toBe('stop_guest');
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
