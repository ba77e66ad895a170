// Pins what `vigil once` says per problem: for every outcome one line of what was done (or why not) and one of what happens next, with the times, lease holders and approval ids that make it actionable.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { explainOutcome, type OnceFacts } from '../../src/commands/once-explain.js';
import { SKIP_REASONS } from '../../src/monitor/guardrails.js';
import type { Outcome } from '../../src/monitor/remediate.js';

const NOW = Date.parse('2026-11-30T20:00:00Z');
const facts = (f: Partial<OnceFacts> = {}): OnceFacts => ({
  maxConcurrentNodes: 1,
  autonomyLevel: 3,
  killSwitch: { active: false, scope: 'autonomy' },
  ...f,
});
const call = {
  runbook: 'restart-failed-service',
  tool: 'restart_service',
  args: { node: 'pve1', unit: 'nginx.service' },
};

const arbOutcome: fc.Arbitrary<Outcome> = fc.oneof(
  fc.record({
    key: fc.constant('service.failed:pve1/nginx.service'),
    verdict: fc.constant('skipped' as const),
    reason: fc.constantFrom(...SKIP_REASONS),
    detail: fc.string({ maxLength: 40 }).map((s) => s.replace(/\n/g, ' ')),
  }),
  fc.record({
    key: fc.constant('disk.high:pve2'),
    verdict: fc.constant('escalated' as const),
    detail: fc.constant('3 attempts'),
  }),
  fc.record({
    key: fc.constant('guest.crashed:101'),
    verdict: fc.constant('acted' as const),
    ...Object.fromEntries(Object.entries(call).map(([k, v]) => [k, fc.constant(v)])),
    result: fc.constantFrom('succeeded', 'failed', 'verify_failed', 'pending_approval', 'dry_run', 'interrupted'),
    detail: fc.constant('line one\nline two'),
  }) as fc.Arbitrary<Outcome>,
);

describe('explainOutcome', () => {
  it('always says what was done and what comes next, one line each', () => {
    fc.assert(
      fc.property(
        arbOutcome,
        fc.option(fc.integer({ min: NOW, max: NOW + 86_400_000 }), { nil: undefined }),
        (o, retryAt) => {
          const e = explainOutcome(o, facts(retryAt === undefined ? {} : { retryAt }), NOW);
          for (const line of [e.did, e.next]) {
            expect(line.length).toBeGreaterThan(5);
            expect(line).not.toContain('\n');
            expect(line).not.toMatch(/\b([a-z]+) \1\b/i);
          }
        },
      ),
    );
  });

  it('a cooldown says until when, and that vigil acts again then', () => {
    const e = explainOutcome(
      { key: 'disk.high:pve1', verdict: 'skipped', reason: 'cooldown', detail: 'runbook cooling down' },
      facts({ retryAt: NOW + 3_600_000 }),
      NOW,
    );
    expect(e.did).toBe('no action (cooldown: the runbook fixed this target recently; cooling down until 21:00:00 UTC)');
    expect(e.next).toBe('vigil acts again after 21:00:00 UTC if the problem is still there');
  });

  it('blast radius names the node holding the lease and the limit', () => {
    const e = explainOutcome(
      { key: 'guest.crashed:105', verdict: 'skipped', reason: 'blast_radius', detail: 'nodes under remediation: pve1' },
      facts(),
      NOW,
    );
    expect(e.did).toMatch(/the remediation lease is held for pve1; at most 1 node\(s\) at once/);
    expect(e.next).toMatch(/next cycle tries again .* once that lease is released/);
  });

  it('an approval filed gives its id and the command to decide it', () => {
    const e = explainOutcome(
      { key: 'guest.crashed:101', verdict: 'acted', ...call, result: 'pending_approval', detail: '' },
      facts({ autonomyLevel: 2, approval: { id: 'apr_abc123xyz', expiresAt: NOW + 600_000, status: 'pending' } }),
      NOW,
    );
    expect(e.did).toMatch(/^filed approval apr_abc123xyz for restart_service .*autonomy level 2/);
    expect(e.next).toMatch(/vigil approve apr_abc123xyz \(or vigil deny apr_abc123xyz\) before 20:10:00 UTC/);
  });

  it('the kill switch and autonomy levels say how to let vigil act', () => {
    const ks = explainOutcome(
      { key: 'k', verdict: 'skipped', reason: 'kill_switch', detail: 'the kill switch is on' },
      facts({ killSwitch: { active: true, scope: 'all' } }),
      NOW,
    );
    expect(ks).toEqual({
      did: 'no action (the kill switch is on, scope all)',
      next: 'nothing automatic until it is released: vigil killswitch off',
    });
    const observe = explainOutcome(
      { key: 'k', verdict: 'skipped', reason: 'observe_only', detail: 'autonomy level 0 (observe)' },
      facts({ autonomyLevel: 0 }),
      NOW,
    );
    expect(observe.next).toMatch(/set_autonomy_level 3/);
  });
});
