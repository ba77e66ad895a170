// Pins the pure leadership rules: only the current epoch may write, losing the lock connection ends leadership at once, epochs only grow, and a leader never tries to take over.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  heartbeatStale,
  holderAlive,
  mayWrite,
  nextLeadership,
  STANDBY,
  takeoverDue,
  type LeadershipEvent,
} from '../../../src/db/pg/leadership-rules.js';

const event: fc.Arbitrary<LeadershipEvent> = fc.oneof(
  fc.record({ kind: fc.constant('acquired' as const), epoch: fc.integer({ min: -2, max: 50 }) }),
  fc.constant({ kind: 'lost' as const }),
  fc.constant({ kind: 'beat' as const }),
);

describe('leadership rules', () => {
  it('lets a write through only when it carries exactly the stored epoch', () => {
    fc.assert(
      fc.property(fc.option(fc.nat()), fc.nat(), (carried, stored) => {
        expect(mayWrite(carried, stored)).toBe(carried === stored);
      }),
    );
    expect(mayWrite(null, 0)).toBe(false);
  });

  it('steps down on a lost connection whatever came before, and then no write of it passes', () => {
    fc.assert(
      fc.property(fc.array(event), fc.nat(), (events, stored) => {
        const state = nextLeadership(events.reduce(nextLeadership, STANDBY), { kind: 'lost' });
        expect(state).toMatchObject({ leading: false, epoch: null });
        expect(mayWrite(state.epoch, stored)).toBe(false);
      }),
    );
  });

  it('leads only under an epoch higher than every one it held before', () => {
    fc.assert(
      fc.property(fc.array(event), (events) => {
        let state = STANDBY;
        const held: number[] = [];
        for (const e of events) {
          const next = nextLeadership(state, e);
          if (next.leading && next.epoch !== state.epoch) held.push(next.epoch!);
          // A leader's epoch is its highest; a standby holds none.
          expect(next.leading ? next.epoch === next.highest : next.epoch === null).toBe(true);
          expect(next.highest).toBeGreaterThanOrEqual(state.highest);
          state = next;
        }
        for (let i = 1; i < held.length; i += 1) expect(held[i]!).toBeGreaterThan(held[i - 1]!);
      }),
    );
  });

  it('tries the lock once per interval while standing by, never while leading', () => {
    fc.assert(
      fc.property(
        fc.array(event),
        fc.option(fc.nat()),
        fc.nat(),
        fc.integer({ min: 1, max: 10_000 }),
        (events, last, now, interval) => {
          const state = events.reduce(nextLeadership, STANDBY);
          const due = takeoverDue(state, last, now, interval);
          if (state.leading) expect(due).toBe(false);
          else expect(due).toBe(last === null || now - last >= interval);
        },
      ),
    );
  });

  it('calls a heartbeat stale after two intervals', () => {
    expect(heartbeatStale(1_000, 1_200, 100)).toBe(false);
    expect(heartbeatStale(1_000, 1_201, 100)).toBe(true);
  });

  it('calls a lease holder dead once its heartbeat is stale or it stopped, and defers unknown holders', () => {
    const role = fc.constantFrom('leader' as const, 'standby' as const, 'stopped' as const);
    fc.assert(
      fc.property(
        role,
        fc.nat(10_000),
        fc.nat(10_000),
        fc.integer({ min: 1, max: 1000 }),
        fc.boolean(),
        (r, last, age, interval, fallback) => {
          const alive = holderAlive([{ daemonId: 'a', role: r, lastBeat: last }], last + age, interval, () => fallback);
          expect(alive({ holder: 'a' })).toBe(r !== 'stopped' && age <= 2 * interval);
          expect(alive({ holder: 'cli:123' })).toBe(fallback);
        },
      ),
    );
  });
});
