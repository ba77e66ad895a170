// Pins demo chaos decisions: valid targets only, bounded outstanding faults, never the last node down, HA guests left alone, nothing the monitor would not act on now (cooling down, incident open), and a driver that never stalls.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  pickChaos,
  stillBroken,
  chaosView,
  chaosTarget,
  applyChaos,
  busyKeys,
  incidentKeyOf,
  type ChaosAction,
  type ChaosView,
} from '../../src/commands/demo-chaos.js';
import { createLabState } from '../../src/lab/state.js';
import { createChaos } from '../../src/commands/demo-chaos-driver.js';
import { seededRandom } from '../../src/util/random.js';

const arbView: fc.Arbitrary<ChaosView> = fc
  .array(
    fc.record({
      online: fc.boolean(),
      diskPercent: fc.integer({ min: 0, max: 100 }),
      services: fc.array(
        fc.record({
          unit: fc.constantFrom('nginx.service', 'chrony.service', 'pveproxy.service'),
          state: fc.constantFrom('active', 'failed', 'inactive'),
        }),
        { maxLength: 3 },
      ),
      guests: fc.array(fc.record({ running: fc.boolean(), haManaged: fc.boolean() }), { maxLength: 4 }),
    }),
    { minLength: 1, maxLength: 5 },
  )
  .map((nodes) => {
    let vmid = 100;
    return {
      nodes: nodes.map((n, i) => ({
        name: `pve${i + 1}`,
        online: n.online,
        diskPercent: n.diskPercent,
        services: [...new Map(n.services.map((s) => [s.unit, s])).values()],
      })),
      guests: nodes.flatMap((n, i) =>
        n.guests.map((g) => ({
          vmid: vmid++,
          name: `g${vmid}`,
          node: `pve${i + 1}`,
          status: g.running ? 'running' : 'stopped',
          haManaged: g.haManaged,
        })),
      ),
    };
  });

/** Applies an action to a view, as the lab would. */
function apply(view: ChaosView, a: ChaosAction): ChaosView {
  return {
    nodes: view.nodes.map((n) => {
      if (!('node' in a) || n.name !== a.node || a.kind === 'crash_guest') return n;
      if (a.kind === 'node_down') return { ...n, online: false };
      if (a.kind === 'fill_disk') return { ...n, diskPercent: a.percent };
      return { ...n, services: n.services.map((s) => (s.unit === a.unit ? { ...s, state: 'failed' } : s)) };
    }),
    guests: view.guests.map((g) => (a.kind === 'crash_guest' && g.vmid === a.vmid ? { ...g, status: 'stopped' } : g)),
  };
}

describe('pickChaos', () => {
  it('only breaks what is working, keeps one node online, and stops at the outstanding bound', () => {
    fc.assert(
      fc.property(
        arbView,
        fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: 20, maxLength: 20 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        (start, rolls, max, healEach) => {
          let view = start;
          const outstanding: ChaosAction[] = [];
          const avoid = new Set<string>();
          let i = 0;
          const random = () => rolls[i++ % rolls.length]!;
          for (let step = 0; step < 8; step++) {
            // Healing everything in between lets the bound never bite, so only `avoid` stops repeats.
            if (healEach) view = start;
            const onlineBefore = view.nodes.filter((n) => n.online).length;
            const action = pickChaos(view, outstanding, random, { maxOutstanding: max, avoid });
            if (!action) break;
            expect(avoid.has(chaosTarget(action))).toBe(false);
            avoid.add(chaosTarget(action));
            switch (action.kind) {
              case 'crash_guest': {
                const g = view.guests.find((x) => x.vmid === action.vmid)!;
                expect(g.status).toBe('running');
                expect(g.haManaged).toBe(false);
                expect(view.nodes.find((n) => n.name === g.node)!.online).toBe(true);
                break;
              }
              case 'fail_service':
                expect(
                  view.nodes.find((n) => n.name === action.node)!.services.find((s) => s.unit === action.unit)!.state,
                ).toBe('active');
                break;
              case 'fill_disk':
                expect(view.nodes.find((n) => n.name === action.node)!.diskPercent).toBeLessThan(80);
                break;
              case 'node_down':
                expect(onlineBefore).toBeGreaterThan(1);
                expect(outstanding.some((a) => a.kind === 'node_down' && stillBroken(a, view))).toBe(false);
                break;
            }
            view = apply(view, action);
            outstanding.push(action);
            expect(stillBroken(action, view)).toBe(true);
            expect(outstanding.filter((a) => stillBroken(a, view)).length).toBeLessThanOrEqual(max);
            expect(view.nodes.some((n) => n.online)).toBe(true);
          }
        },
      ),
    );
  });

  it('waits once the bound is reached, and goes on when a fault is repaired', () => {
    const state = createLabState({ nodes: 3, guestsPerNode: 4, seed: 1 });
    try {
      const outstanding: ChaosAction[] = [];
      const policy = { maxOutstanding: 1, weights: { crash_guest: 1, fail_service: 0, fill_disk: 0, node_down: 0 } };
      const first = pickChaos(chaosView(state), outstanding, () => 0, policy)!;
      expect(first.kind).toBe('crash_guest');
      applyChaos(state, first);
      outstanding.push(first);
      expect(pickChaos(chaosView(state), outstanding, () => 0, policy)).toBeNull();
      if (first.kind === 'crash_guest') state.setGuestStatus(first.vmid, 'running', 'test repair');
      expect(pickChaos(chaosView(state), outstanding, () => 0, policy)).not.toBeNull();
    } finally {
      state.close();
    }
  });
});

/** Every fault chaos could inject into `view`, whatever the policy (to draw busy keys from). */
function everyKey(view: ChaosView): string[] {
  return [
    ...view.guests.map((g) => `guest.crashed:${g.vmid}`),
    ...view.nodes.flatMap((n) => [
      `disk.high:${n.name}`,
      `node.unreachable:${n.name}`,
      ...n.services.map((s) => `service.failed:${n.name}/${s.unit}`),
    ]),
  ];
}

describe('what the monitor is busy with', () => {
  it('pickChaos never injects a fault whose incident is busy, and finds one when anything else is breakable', () => {
    fc.assert(
      fc.property(
        arbView.chain((view) =>
          fc.tuple(fc.constant(view), fc.subarray(everyKey(view)), fc.double({ min: 0, max: 0.999999, noNaN: true })),
        ),
        ([view, busyList, roll]) => {
          const busy = new Set(busyList);
          const action = pickChaos(view, [], () => roll, { busy });
          if (action) {
            expect(busy.has(incidentKeyOf(action))).toBe(false);
            return;
          }
          // Nothing chosen: then nothing breakable was free (liveness: chaos only waits when it must).
          const free = pickChaos(view, [], () => roll, {});
          if (free) expect(busy.size).toBeGreaterThan(0);
          const online = view.nodes.filter((n) => n.online);
          const breakable = [
            ...view.guests
              .filter((g) => g.status === 'running' && !g.haManaged && online.some((n) => n.name === g.node))
              .map((g) => `guest.crashed:${g.vmid}`),
            ...online.flatMap((n) => [
              ...(n.diskPercent < 80 ? [`disk.high:${n.name}`] : []),
              ...(online.length > 1 ? [`node.unreachable:${n.name}`] : []),
              ...n.services.filter((s) => s.state === 'active').map((s) => `service.failed:${n.name}/${s.unit}`),
            ]),
          ];
          expect(breakable.filter((k) => !busy.has(k))).toEqual([]);
        },
      ),
    );
  });

  it('busyKeys: an active incident, a success inside its runbook cooldown, or the attempts of the window used up', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 3 }),
        fc.array(
          fc.record({
            incidentKey: fc.constantFrom('a', 'b', 'c', 'd'),
            runbook: fc.constantFrom('short', 'long'),
            result: fc.constantFrom('succeeded', 'failed', 'verify_failed'),
            startedAt: fc.integer({ min: 0, max: 10_000 }),
          }),
          { maxLength: 8 },
        ),
        fc.integer({ min: 0, max: 12_000 }),
        (active, attempts, now) => {
          const cooldownMs = (rb: string) => (rb === 'long' ? 3600 : 60);
          const limits = { maxAttempts: 3, windowMs: 1000 };
          const busy = busyKeys({ active: active.map((key) => ({ key })), attempts, cooldownMs, limits, now });
          for (const key of ['a', 'b', 'c', 'd']) {
            const mine = attempts.filter((a) => a.incidentKey === key);
            const cooling = mine.some((a) => a.result === 'succeeded' && a.startedAt + cooldownMs(a.runbook) > now);
            const used = mine.filter((a) => a.startedAt > now - limits.windowMs && a.startedAt <= now).length >= 3;
            expect(busy.has(key)).toBe((active as string[]).includes(key) || cooling || used);
          }
        },
      ),
    );
  });
});

describe('createChaos on an injected clock', () => {
  it('keeps striking for a simulated day even when nobody ever repairs anything', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 3 }),
        async (seed, maxOutstanding) => {
          let now = 1_700_000_000_000;
          const state = createLabState({ nodes: 3, guestsPerNode: 4, seed, now: () => now });
          try {
            const strikes: number[] = [];
            const chaos = createChaos({
              state,
              now: () => now,
              random: seededRandom(seed),
              policy: { maxOutstanding },
              onStrike: () => strikes.push(now),
            });
            const start = now;
            for (let minute = 0; minute < 24 * 60; minute++) {
              now += 60_000;
              await chaos.tick();
            }
            for (let hour = 0; hour < 24; hour++) {
              const from = start + hour * 3_600_000;
              expect(strikes.some((at) => at > from && at <= from + 3_600_000)).toBe(true);
            }
            expect(chaos.outstanding().length).toBeLessThanOrEqual(maxOutstanding);
          } finally {
            state.close();
          }
        },
      ),
      { numRuns: 20 },
    );
  });
});
