// Pins the guardrail decisions as fast-check properties: never an action while the switch is on, never more attempts or leased nodes than allowed, never a red action without approval.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { attemptsInWindow, decideRemediation, silenceReason, type GuardInput } from '../../src/monitor/guardrails.js';
import { decideLease, type LeaseView } from '../../src/contracts/leases.js';
import { gate } from '../../src/safety/gate.js';
import { AUTONOMY_LEVELS, type AutonomyLevel } from '../../src/contracts/tiers.js';
import { INCIDENT_STATUSES } from '../../src/contracts/conditions.js';

const MIN = 60_000;
const level = fc.constantFrom(...AUTONOMY_LEVELS);
const limits = fc.record({
  maxAttempts: fc.integer({ min: 1, max: 5 }),
  windowMs: fc.integer({ min: 1, max: 120 }).map((m) => m * MIN),
  backoffMs: fc.array(fc.integer({ min: 0, max: 30 * MIN }), { maxLength: 4 }),
  dailyCap: fc.integer({ min: 0, max: 20 }),
});
const guardInput: fc.Arbitrary<GuardInput> = fc.record({
  now: fc.integer({ min: 10 * 86_400_000, max: 20 * 86_400_000 }),
  runbook: fc.record({ enabled: fc.boolean(), acts: fc.boolean(), cooldownMs: fc.integer({ min: 0, max: 60 * MIN }) }),
  incident: fc.record({ status: fc.constantFrom(...INCIDENT_STATUSES), flapping: fc.boolean() }),
  silenced: fc.option(fc.string(), { nil: null }),
  killSwitchActive: fc.boolean(),
  level,
  attempts: fc.array(fc.integer({ min: 9 * 86_400_000, max: 20 * 86_400_000 }), { maxLength: 8 }),
  lastSuccessAt: fc.option(fc.integer({ min: 9 * 86_400_000, max: 20 * 86_400_000 }), { nil: null }),
  actionsLastDay: fc.integer({ min: 0, max: 30 }),
  limits,
});

describe('decideRemediation', () => {
  it('never acts while the kill switch is on, below level 2, disabled, silenced or flapping', () => {
    fc.assert(
      fc.property(guardInput, (g) => {
        const d = decideRemediation(g);
        if (d.verdict !== 'act') return;
        expect(g.killSwitchActive).toBe(false);
        expect(g.level).toBeGreaterThanOrEqual(2);
        expect(g.runbook.enabled && g.runbook.acts).toBe(true);
        expect(g.silenced).toBeNull();
        expect(g.incident.flapping).toBe(false);
        expect(g.actionsLastDay).toBeLessThan(g.limits.dailyCap);
        expect(attemptsInWindow(g.attempts, g.now, g.limits.windowMs).length).toBeLessThan(g.limits.maxAttempts);
      }),
      { numRuns: 2000 },
    );
  });

  it('over any sequence of outcomes, switch flips and level changes: never more attempts in a window than allowed, one escalation per exhaustion', () => {
    const step = fc.record({
      dt: fc.integer({ min: 0, max: 40 * MIN }),
      flip: fc.boolean(),
      level: fc.option(level, { nil: undefined }),
      success: fc.boolean(),
    });
    fc.assert(
      fc.property(limits, fc.array(step, { minLength: 1, maxLength: 60 }), (lim, steps) => {
        let now = 10 * 86_400_000;
        let ks = false;
        let lvl: AutonomyLevel = 3;
        let status: GuardInput['incident']['status'] = 'open';
        const attempts: number[] = [];
        for (const s of steps) {
          now += s.dt;
          if (s.flip) ks = !ks;
          if (s.level !== undefined) lvl = s.level;
          const d = decideRemediation({
            now,
            runbook: { enabled: true, acts: true, cooldownMs: 0 },
            incident: { status, flapping: false },
            silenced: null,
            killSwitchActive: ks,
            level: lvl,
            attempts,
            lastSuccessAt: null,
            actionsLastDay: 0,
            limits: { ...lim, dailyCap: 1000 },
          });
          if (d.verdict === 'escalate') {
            expect(status).not.toBe('escalated');
            status = 'escalated';
          }
          if (d.verdict !== 'act') continue;
          expect(ks).toBe(false);
          attempts.push(now);
          expect(attemptsInWindow(attempts, now, lim.windowMs).length).toBeLessThanOrEqual(lim.maxAttempts);
          status = s.success ? 'open' : status === 'escalated' ? 'escalated' : 'open';
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('a red runbook action never runs without approval unless level 4 and the runbook opts in', () => {
    fc.assert(
      fc.property(guardInput, fc.boolean(), fc.boolean(), (g, allowRed, ksAll) => {
        if (decideRemediation(g).verdict !== 'act') return;
        const verdict = gate({
          tool: { name: 'reboot_guest', tier: 'red', kind: 'infra' },
          caller: { kind: 'monitor', runbook: { requiredLevel: 3, allowRed } },
          target: { node: 'pve1', vmid: 100 },
          policy: { readOnly: false, disabledTools: [], protected: { nodes: [], guests: [] }, dryRun: false },
          state: { killSwitch: { active: ksAll, scope: 'all', reason: '' }, autonomyLevel: g.level },
        });
        if (verdict.verdict === 'allow') {
          expect(g.level).toBe(4);
          expect(allowRed).toBe(true);
        } else expect(['propose', 'block']).toContain(verdict.verdict);
      }),
      { numRuns: 2000 },
    );
  });

  it('spaces attempts by the back-off and escalates at the limit', () => {
    const base: GuardInput = {
      now: 100 * MIN,
      runbook: { enabled: true, acts: true, cooldownMs: 0 },
      incident: { status: 'open', flapping: false },
      silenced: null,
      killSwitchActive: false,
      level: 3,
      attempts: [99 * MIN],
      lastSuccessAt: null,
      actionsLastDay: 1,
      limits: { maxAttempts: 3, windowMs: 60 * MIN, backoffMs: [2 * MIN], dailyCap: 50 },
    };
    expect(decideRemediation(base)).toMatchObject({ verdict: 'skip', reason: 'backoff', retryAt: 101 * MIN });
    expect(decideRemediation({ ...base, now: 101 * MIN })).toEqual({ verdict: 'act' });
    const three = { ...base, attempts: [70 * MIN, 80 * MIN, 90 * MIN] };
    expect(decideRemediation(three).verdict).toBe('escalate');
    expect(decideRemediation({ ...three, incident: { status: 'escalated', flapping: false } })).toMatchObject({
      reason: 'attempts_exhausted',
      retryAt: 130 * MIN,
    });
  });
});

describe('decideLease', () => {
  it('over any sequence of acquires, releases, deaths and time: never more live leased nodes than allowed', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('acquire' as const),
        node: fc.integer({ min: 1, max: 5 }),
        holder: fc.integer({ min: 1, max: 3 }),
      }),
      fc.record({
        kind: fc.constant('release' as const),
        node: fc.integer({ min: 1, max: 5 }),
        holder: fc.integer({ min: 1, max: 3 }),
      }),
      fc.record({ kind: fc.constant('die' as const), holder: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 1000 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.array(op, { maxLength: 80 }), (max, ops) => {
        let leases: LeaseView[] = [];
        let now = 0;
        const dead = new Set<string>();
        const alive = (l: LeaseView) => !dead.has(l.holder);
        for (const o of ops) {
          if (o.kind === 'wait') now += o.ms;
          else if (o.kind === 'die') dead.add(`h${o.holder}`);
          else if (o.kind === 'release')
            leases = leases.filter((l) => !(l.node === `n${o.node}` && l.holder === `h${o.holder}`));
          else if (!dead.has(`h${o.holder}`)) {
            const d = decideLease(leases, { node: `n${o.node}`, holder: `h${o.holder}`, now }, max, alive);
            leases = d.live;
            if (d.grant && !leases.some((l) => l.node === `n${o.node}`))
              leases.push({ node: `n${o.node}`, holder: `h${o.holder}`, expiresAt: now + 500 });
            if (d.grant) expect(leases.find((l) => l.node === `n${o.node}`)?.holder).toBe(`h${o.holder}`);
          }
          const live = leases.filter((l) => l.expiresAt > now && alive(l));
          expect(new Set(live.map((l) => l.node)).size).toBeLessThanOrEqual(max);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('takes over the lease of a dead holder and an expired one', () => {
    const l = { node: 'pve1', holder: 'a', expiresAt: 1000 };
    expect(decideLease([l], { node: 'pve2', holder: 'b', now: 10 }, 1, () => true).grant).toBe(false);
    expect(decideLease([l], { node: 'pve2', holder: 'b', now: 10 }, 1, () => false)).toMatchObject({
      grant: true,
      drop: [l],
    });
    expect(decideLease([l], { node: 'pve1', holder: 'b', now: 1000 }, 1, () => true)).toMatchObject({
      grant: true,
      drop: [l],
    });
  });
});

describe('silenceReason', () => {
  it('matches node, guest, service, http and key matchers inside their window only', () => {
    const i = { key: 'guest.crashed:101', condition: 'guest.crashed', target: '101', node: 'pve1' };
    const rule = (matcher: string) => [{ matcher, reason: 'r', startsAt: 10, endsAt: 20 }];
    for (const m of ['*', 'pve1', 'guest:101', 'guest.crashed:101'])
      expect(silenceReason(i, rule(m), 15)).toMatch(/silenced/);
    for (const m of ['pve2', 'guest:102', 'http:web']) expect(silenceReason(i, rule(m), 15)).toBeNull();
    expect(silenceReason(i, rule('pve1'), 20)).toBeNull();
    const s = {
      key: 'service.failed:pve1/nginx.service',
      condition: 'service.failed',
      target: 'pve1/nginx.service',
      node: 'pve1',
    };
    expect(silenceReason(s, rule('service:pve1:nginx.service'), 15)).toMatch(/silenced/);
  });
});
