// Pins the guest.unresponsive guardrails as properties: never a finding for a locked guest, findings only after N consecutive failures, the runbook's reset never allowed below autonomy level 4 or on a locked or backed-up guest, and never on a protected guest.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  detectUnresponsive,
  optedIn,
  unresponsiveBlock,
  unresponsiveStep,
  type AgentObs,
} from '../../src/monitor/detect-guests.js';
import { BUILTIN_RUNBOOKS } from '../../src/monitor/runbooks.js';
import { detectCritical, EMPTY_CRITICAL } from '../../src/monitor/detect.js';
import { gate } from '../../src/safety/gate.js';
import type { AutonomyLevel } from '../../src/contracts/tiers.js';

const LOCKS = ['backup', 'snapshot', 'snapshot-delete', 'rollback', 'migrate', 'clone', 'suspending'];
const obs = fc.record({
  vmid: fc.constant(100),
  responding: fc.boolean(),
  httpDown: fc.boolean(),
  lock: fc.option(fc.constantFrom(...LOCKS), { nil: undefined }),
});
const asAgent = (o: { vmid: number; responding: boolean; httpDown: boolean; lock?: string }): AgentObs => ({
  vmid: o.vmid,
  node: 'pve1',
  responding: o.responding,
  httpDown: o.httpDown,
  optedIn: false,
  ...(o.lock ? { lock: o.lock } : {}),
});

/** Runs detection over a sequence of polls (one guest reading per poll). */
function run(polls: ReturnType<typeof asAgent>[][], threshold: number) {
  let state = new Map<number, number>();
  const out = [];
  for (const p of polls) {
    const r = detectUnresponsive(state, p, { threshold, openKeys: new Set() });
    state = r.failures;
    out.push(r);
  }
  return out;
}

describe('detectUnresponsive', () => {
  it('never opens for a locked guest, and opens only after `threshold` consecutive failures', () => {
    fc.assert(
      fc.property(fc.array(obs, { maxLength: 30 }), fc.integer({ min: 1, max: 5 }), (seq, threshold) => {
        const results = run(
          seq.map((o) => [asAgent(o)]),
          threshold,
        );
        const streak = new Map<number, number>();
        seq.forEach((o, i) => {
          if (!o.lock) streak.set(o.vmid, !o.responding || o.httpDown ? (streak.get(o.vmid) ?? 0) + 1 : 0);
          const found = results[i]!.findings.map((f) => Number(f.target));
          if (o.lock) expect(found).toEqual([]);
          else expect(found.includes(o.vmid)).toBe((streak.get(o.vmid) ?? 0) >= threshold);
        });
      }),
    );
  });

  it('marks an open incident healthy only when the agent answers and no mapped check fails', () => {
    fc.assert(
      fc.property(obs, (o) => {
        const key = `guest.unresponsive:${o.vmid}`;
        const r = detectUnresponsive(new Map(), [asAgent(o)], { threshold: 1, openKeys: new Set([key]) });
        expect(r.healthy.has(key)).toBe(!o.lock && o.responding && !o.httpDown);
      }),
    );
  });
});

describe('the unresponsive runbook guardrails', () => {
  const rb = BUILTIN_RUNBOOKS.find((r) => r.condition === 'guest.unresponsive')!;

  it('is red, declares level 4, never acts unless unlocked with no backup running', () => {
    expect(rb).toMatchObject({ requiredLevel: 3, allowRed: true });
    expect(rb.preconditions).toEqual(expect.arrayContaining(['guest_unlocked', 'no_backup_running', 'node_online']));
    fc.assert(
      fc.property(fc.option(fc.constantFrom(...LOCKS), { nil: undefined }), fc.boolean(), (lock, backupRunning) => {
        const why = unresponsiveBlock({ vmid: 100, ...(lock ? { lock } : {}), backupRunning });
        expect(why === null).toBe(!lock && !backupRunning);
      }),
    );
  });

  it('the gate lets the monitor reset only at level 4 (3 when opted in), proposes below, refuses protected guests and a kill switch', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<AutonomyLevel>(0, 1, 2, 3, 4),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom('autonomy', 'all') as fc.Arbitrary<'autonomy' | 'all'>,
        fc.boolean(),
        (level, protectedGuest, killed, scope, optedIn) => {
          const d = gate({
            tool: { name: 'reset_guest', tier: 'red', kind: 'infra' },
            caller: { kind: 'monitor', runbook: { requiredLevel: rb.requiredLevel, allowRed: rb.allowRed, optedIn } },
            target: { node: 'pve1', vmid: 100 },
            policy: {
              readOnly: false,
              disabledTools: [],
              protected: { nodes: [], guests: protectedGuest ? [100] : [] },
              dryRun: false,
            },
            state: { killSwitch: { active: killed, scope, reason: 'test' }, autonomyLevel: level },
          });
          const allowed = d.verdict === 'allow';
          expect(allowed).toBe((level === 4 || (level === 3 && optedIn)) && !protectedGuest && !killed);
          if (!allowed && level >= 2) expect(['propose', 'block']).toContain(d.verdict);
        },
      ),
    );
  });

  it('resets first, then stops and starts; opt-in by config list or tag', () => {
    fc.assert(
      fc.property(fc.nat(20), (n) => {
        expect(unresponsiveStep(n)).toBe(n === 0 ? 'reset' : 'stop_start');
      }),
    );
    const cfg = { autoRestart: [101], autoRestartTag: 'vigil-autorestart' };
    expect(optedIn(101, [], cfg)).toBe(true);
    expect(optedIn(100, ['prod', 'Vigil-AutoRestart'], cfg)).toBe(true);
    expect(optedIn(100, ['prod'], cfg)).toBe(false);
  });
});

describe('detectCritical and guest.unresponsive', () => {
  it('resolves an unresponsive incident once its guest is stopped or gone', () => {
    const guest = (vmid: number, status: string) => ({
      vmid,
      node: 'pve1',
      type: 'qemu' as const,
      status,
      ha: false,
      template: false,
    });
    const r = detectCritical(
      EMPTY_CRITICAL,
      {
        cluster: { nodes: [{ name: 'pve1', online: true }], guests: [guest(100, 'stopped'), guest(102, 'running')] },
        sshReachable: new Map(),
        sshOnlyNodes: [],
        evidence: new Map([[100, 'stop' as const]]),
        stopCalls: new Map(),
        agents: [],
      },
      {
        unreachablePolls: 2,
        openKeys: new Set(['guest.unresponsive:100', 'guest.unresponsive:102', 'guest.unresponsive:104']),
      },
    );
    expect([...r.healthy].sort()).toEqual(['guest.unresponsive:100', 'guest.unresponsive:104']);
  });
});
