// Pins the pure detection and incident planning: crash rules (intent, HA, templates, offline nodes), node debounce, HTTP counts, dependency suppression of openings only, flapping.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  EMPTY_CRITICAL,
  crashCandidates,
  detectCritical,
  type CriticalObservation,
  type GuestObs,
  type StopEvidence,
} from '../../src/monitor/detect.js';
import { EMPTY_ROUTINE, detectRoutine } from '../../src/monitor/detect-routine.js';
import { planIncidents } from '../../src/monitor/incidents.js';
import type { Incident } from '../../src/contracts/incidents.js';

const guest = (vmid: number, status: string, extra: Partial<GuestObs> = {}): GuestObs => ({
  vmid,
  node: 'pve1',
  type: 'qemu',
  status,
  ha: false,
  template: false,
  ...extra,
});
const obs = (guests: GuestObs[], o: Partial<CriticalObservation> = {}): CriticalObservation => ({
  cluster: {
    nodes: [
      { name: 'pve1', online: true },
      { name: 'pve2', online: true },
    ],
    guests,
  },
  sshReachable: new Map(),
  sshOnlyNodes: [],
  evidence: new Map(),
  stopCalls: new Map(),
  ...o,
});
const opts = { unreachablePolls: 2, openKeys: new Set<string>() };

describe('detectCritical', () => {
  const running = detectCritical(EMPTY_CRITICAL, obs([guest(100, 'running')]), opts).state;

  it('a running guest that stops with no stop task and no vigil stop has crashed', () => {
    const r = detectCritical(running, obs([guest(100, 'stopped')], { evidence: new Map([[100, 'none']]) }), opts);
    expect(r.findings.map((f) => f.key)).toEqual(['guest.crashed:100']);
    // It stays crashed on the next poll without new evidence, and resolves once seen running.
    const again = detectCritical(r.state, obs([guest(100, 'stopped')]), {
      ...opts,
      openKeys: new Set(['guest.crashed:100']),
    });
    expect(again.findings).toHaveLength(1);
    const back = detectCritical(again.state, obs([guest(100, 'running')]), {
      ...opts,
      openKeys: new Set(['guest.crashed:100']),
    });
    expect(back.findings).toEqual([]);
    expect([...back.healthy]).toEqual(['guest.crashed:100']);
  });

  it('never reports a crash for an intended stop, an HA-managed guest, a template or unknown evidence', () => {
    const evidence = fc.constantFrom<StopEvidence>('stop', 'start', 'none', 'unknown');
    fc.assert(
      fc.property(evidence, fc.boolean(), fc.boolean(), fc.boolean(), (ev, ha, template, stoppedByVigil) => {
        const r = detectCritical(
          running,
          obs([guest(100, 'stopped', { ha, template })], {
            evidence: new Map([[100, ev]]),
            stopCalls: stoppedByVigil ? new Map([[100, 1]]) : new Map(),
          }),
          opts,
        );
        const crashed = r.findings.length > 0;
        expect(crashed).toBe(!ha && !template && !stoppedByVigil && (ev === 'none' || ev === 'start'));
      }),
    );
  });

  it('asks for evidence only for guests that just stopped or are first seen stopped on an online node', () => {
    const online = new Set(['pve1']);
    const gs = [
      guest(100, 'stopped'),
      guest(101, 'running'),
      guest(102, 'stopped', { node: 'pve2' }),
      guest(103, 'stopped', { ha: true }),
    ];
    expect(crashCandidates(running, gs, online).map((g) => g.vmid)).toEqual([100]);
    const seen = detectCritical(
      running,
      obs([guest(100, 'stopped')], { evidence: new Map([[100, 'stop']]) }),
      opts,
    ).state;
    expect(crashCandidates(seen, [guest(100, 'stopped')], online)).toEqual([]);
  });

  it('node.unreachable needs N polls offline and SSH failing; SSH answering resets it', () => {
    const down: CriticalObservation = {
      ...obs([]),
      cluster: { nodes: [{ name: 'pve1', online: false }], guests: [] },
      sshReachable: new Map([['pve1', false]]),
    };
    const one = detectCritical(EMPTY_CRITICAL, down, opts);
    expect(one.findings).toEqual([]);
    expect([...one.downNodes]).toEqual(['pve1']);
    const two = detectCritical(one.state, down, opts);
    expect(two.findings.map((f) => f.key)).toEqual(['node.unreachable:pve1']);
    const ssh = detectCritical(one.state, { ...down, sshReachable: new Map([['pve1', true]]) }, opts);
    expect(ssh.findings).toEqual([]);
    expect(ssh.state.nodeDownPolls.get('pve1')).toBe(0);
  });
});

describe('detectRoutine', () => {
  it('counts consecutive HTTP failures and resets on success; flags failed units, full disks and memory', () => {
    const o = (ok: boolean) => ({
      nodes: [{ name: 'pve1', online: true, diskPercent: 95, memoryPercent: 50 }],
      services: new Map([
        [
          'pve1',
          new Map([
            ['nginx.service', 'failed'],
            ['cron.service', 'active'],
          ]),
        ],
      ]),
      http: new Map([['web', { ok }]]),
    });
    const o2 = { diskPercent: 90, memoryPercent: 95, httpFailures: 2, openKeys: new Set<string>() };
    const a = detectRoutine(EMPTY_ROUTINE, o(false), o2);
    expect(a.findings.map((f) => f.key).sort()).toEqual(['disk.high:pve1', 'service.failed:pve1/nginx.service']);
    const b = detectRoutine(a.state, o(false), o2);
    expect(b.findings.map((f) => f.key)).toContain('http.down:web');
    const c = detectRoutine(b.state, o(true), { ...o2, openKeys: new Set(['http.down:web']) });
    expect(c.findings.map((f) => f.key)).not.toContain('http.down:web');
    expect(c.healthy.has('http.down:web')).toBe(true);
  });
});

describe('planIncidents', () => {
  const finding = (key: string, node: string) => ({
    key,
    condition: key.split(':')[0] as 'guest.crashed',
    target: key.split(':')[1]!,
    node,
    severity: 'critical' as const,
    summary: key,
    details: {},
  });
  const open = (key: string, node: string): Incident => ({
    ...finding(key, node),
    id: 1,
    status: 'open',
    attempts: 0,
    flapping: false,
    approvalId: null,
    firstSeen: 0,
    lastSeen: 0,
    resolvedAt: null,
    escalatedAt: null,
  });

  it('suppresses openings on a down node, never resolutions', () => {
    const plan = planIncidents({
      findings: [finding('guest.crashed:101', 'pve2'), finding('guest.crashed:100', 'pve1')],
      healthy: new Set(['guest.crashed:102']),
      downNodes: new Set(['pve2']),
      active: [open('guest.crashed:102', 'pve2')],
      scope: ['guest.crashed', 'node.unreachable'],
      openings: () => 0,
      flapOpenings: 4,
    });
    expect(plan.open.map((o) => o.key)).toEqual(['guest.crashed:100']);
    expect(plan.suppressed.map((s) => s.key)).toEqual(['guest.crashed:101']);
    expect(plan.resolve.map((r) => r.key)).toEqual(['guest.crashed:102']);
  });

  it('marks the opening that reaches the flapping count', () => {
    const base = {
      healthy: new Set<string>(),
      downNodes: new Set<string>(),
      active: [],
      scope: ['guest.crashed' as const],
      flapOpenings: 4,
    };
    expect(
      planIncidents({ ...base, findings: [finding('guest.crashed:100', 'pve1')], openings: () => 2 }).open[0]!.flapping,
    ).toBe(false);
    expect(
      planIncidents({ ...base, findings: [finding('guest.crashed:100', 'pve1')], openings: () => 3 }).open[0]!.flapping,
    ).toBe(true);
  });
});
