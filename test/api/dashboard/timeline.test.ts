// Pins the incident page's story: entries in time order from detection to resolution, and the next step in words (running, waiting for approval, cooldown until a time, escalated, nothing).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nextStepOf, timelineOf, type TimelineInput } from '../../../src/api/dashboard/timeline.js';
import type { Incident } from '../../../src/contracts/incidents.js';
import type { AutonomyAction } from '../../../src/db/monitor.js';

const incident: Incident = {
  id: 4,
  key: 'service.failed:pve3/nginx.service',
  condition: 'service.failed',
  target: 'pve3/nginx.service',
  node: 'pve3',
  status: 'open',
  severity: 'warning',
  summary: 'nginx.service on pve3 has failed',
  details: { node: 'pve3', unit: 'nginx.service' },
  attempts: 1,
  flapping: false,
  approvalId: null,
  firstSeen: 1000,
  lastSeen: 5000,
  resolvedAt: null,
  escalatedAt: null,
};
const action = (o: Partial<AutonomyAction>): AutonomyAction => ({
  id: 1,
  incidentId: 4,
  incidentKey: incident.key,
  runbook: 'restart-failed-service',
  tool: 'restart_service',
  args: { node: 'pve3', service: 'nginx.service' },
  node: 'pve3',
  result: 'succeeded',
  detail: 'restarted',
  verification: 'service_active: recovered',
  auditId: 7,
  approvalId: null,
  holder: 'h',
  counts: true,
  startedAt: 2000,
  finishedAt: 3000,
  durationMs: 1000,
  ...o,
});
const call = { tool: 'restart_service', args: { node: 'pve3', service: 'nginx.service' } };
const input = (o: Partial<TimelineInput>): TimelineInput => ({
  incident,
  actions: [],
  auditOf: () => undefined,
  approvalOf: () => undefined,
  decision: { verdict: 'act' },
  call,
  now: 6000,
  ...o,
});

describe('timelineOf', () => {
  it('orders detection, action, verification and resolution by time, whatever order the rows come in', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1000, max: 9000 }), { maxLength: 5 }), (starts) => {
        const actions = starts.map((s, i) => action({ id: i + 1, startedAt: s, finishedAt: s + 10 }));
        const entries = timelineOf(input({ actions, incident: { ...incident, status: 'resolved', resolvedAt: 9500 } }));
        expect(entries[0]!.kind).toBe('detected');
        expect(entries[entries.length - 1]!.kind).toBe('resolved');
        for (let i = 1; i < entries.length; i += 1) expect(entries[i]!.at).toBeGreaterThanOrEqual(entries[i - 1]!.at);
      }),
    );
  });

  it('shows each action with its call and result', () => {
    const [, act, verify] = timelineOf(input({ actions: [action({})] }));
    expect(act).toMatchObject({
      kind: 'action',
      title: expect.stringContaining('restart_service(node: "pve3"'),
      result: 'succeeded',
      audit: null,
    });
    expect(verify).toMatchObject({ kind: 'verification', detail: 'service_active: recovered' });
  });
});

describe('nextStepOf', () => {
  it('says when vigil tries again after a cooldown', () => {
    const next = nextStepOf(
      input({ decision: { verdict: 'skip', reason: 'cooldown', detail: 'runbook cooling down', retryAt: 99_000 } }),
    );
    expect(next).toEqual({
      state: 'waiting',
      text: expect.stringContaining('tries restart_service again once the wait is over'),
      at: 99_000,
    });
  });

  it('waits for a pending approval before anything else', () => {
    const next = nextStepOf(
      input({
        incident: { ...incident, approvalId: 'apr_abcdef' },
        approvalOf: () =>
          ({ id: 'apr_abcdef', tool: 'restart_service', status: 'pending', expiresAt: 60_000 }) as never,
      }),
    );
    expect(next).toMatchObject({ state: 'waiting_approval', at: 60_000 });
  });

  it('names a running action, a notify-only runbook, an escalated incident and a resolved one', () => {
    expect(nextStepOf(input({ actions: [action({ result: 'running' })] })).state).toBe('running');
    expect(nextStepOf(input({ call: null, decision: null })).state).toBe('operator');
    expect(
      nextStepOf(
        input({
          incident: { ...incident, status: 'escalated' },
          decision: { verdict: 'skip', reason: 'kill_switch', detail: 'the kill switch is on' },
        }),
      ).text,
    ).toContain('Escalated');
    expect(nextStepOf(input({ incident: { ...incident, status: 'resolved', resolvedAt: 5 } })).state).toBe('done');
    expect(nextStepOf(input({})).text).toContain('On the next cycle: restart_service');
  });
});
