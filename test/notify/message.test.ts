// Pins the pure parts of notification delivery: message grouping and order, digest text, the ntfy URL split, and the capped exponential backoff.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { OutboxRow } from '../../src/db/outbox.js';
import { bareSubject, buildMessages, truncate, webhookRequest } from '../../src/notify/message.js';
import { retryDelayMs } from '../../src/notify/worker.js';

const T = 1_700_000_000_000;
const row = (id: number, kind: OutboxRow['kind'], subject: string): OutboxRow => ({
  id,
  channel: 'email',
  kind,
  incidentKey: `k:${subject}`,
  payload: { subject, body: `body ${subject}` },
  status: 'pending',
  attempts: 0,
  createdAt: T + id * 1000,
  nextAttemptAt: T,
  leaseOwner: null,
  leaseUntil: null,
  lastError: null,
  deliveredAt: null,
});

describe('buildMessages', () => {
  it('sends escalations first, then recoveries, then one digest of all reports', () => {
    const msgs = buildMessages([
      row(1, 'report', 'a'),
      row(2, 'recovery', 'b'),
      row(3, 'report', 'c'),
      row(4, 'escalation', 'd'),
    ]);
    expect(msgs.map((m) => [m.kind, m.subject, m.ids])).toEqual([
      ['escalation', 'ESCALATION: d', [4]],
      ['recovery', 'RECOVERED: b', [2]],
      ['report', '2 remediation reports', [1, 3]],
    ]);
    expect(msgs[2]!.incidentKeys).toEqual(['k:a', 'k:c']);
    expect(msgs[2]!.body).toBe(
      '2 remediation reports since the last digest:\n\n2023-11-14T22:13:21.000Z  a\n---------------------------\nbody a\n\n2023-11-14T22:13:23.000Z  c\n---------------------------\nbody c',
    );
  });

  it('strips the prefix and heading delivery adds itself, so they never appear twice', () => {
    expect(bareSubject('escalation', '[vigil] ESCALATION: vm 101 keeps crashing')).toBe('vm 101 keeps crashing');
    expect(bareSubject('recovery', '[vigil] resolved: guest.crashed 101')).toBe('resolved: guest.crashed 101');
    expect(bareSubject('report', '[VIGIL]  incident: disk 95%')).toBe('incident: disk 95%');
    expect(bareSubject('report', 'ESCALATION: stays in a report')).toBe('ESCALATION: stays in a report');
    expect(bareSubject('escalation', '[vigil] ESCALATION:')).toBe('[vigil] ESCALATION:');
  });

  it('keeps a lone report as it is', () => {
    expect(buildMessages([row(5, 'report', 'only')])).toEqual([
      { kind: 'report', subject: 'only', body: 'body only', incidentKeys: ['k:only'], ids: [5] },
    ]);
  });
});

describe('webhook formats', () => {
  it('posts ntfy JSON to the server root (keeping a path prefix) with the topic in the body', () => {
    const msg = buildMessages([row(1, 'recovery', 'vm back')])[0]!;
    expect(webhookRequest('ntfy', 'https://ntfy.example/alerts', msg)).toMatchObject({
      url: 'https://ntfy.example/',
      body: { topic: 'alerts', priority: 3 },
    });
    expect(webhookRequest('ntfy', 'https://example.net/ntfy/alerts', msg).url).toBe('https://example.net/ntfy/');
  });

  it('truncates to the limit and says so', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 5000 }), fc.integer({ min: 80, max: 4000 }), (text, max) => {
        const out = truncate(text, max);
        expect(out.length).toBeLessThanOrEqual(Math.max(max, text.length <= max ? text.length : max));
        if (text.length <= max) expect(out).toBe(text);
        else expect(out).toMatch(/\(truncated; .*\)$/);
      }),
    );
  });
});

describe('retryDelayMs', () => {
  it('doubles from the initial delay and never exceeds the cap', () => {
    const retry = { initialMs: 30_000, maxMs: 1_800_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 8, 100].map((n) => retryDelayMs(n, retry) / 1000)).toEqual([
      30, 60, 120, 240, 480, 960, 1800, 1800, 1800,
    ]);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 86_400_000 }),
        fc.integer({ min: 1, max: 86_400_000 }),
        (n, initialMs, maxMs) => {
          const d = retryDelayMs(n, { initialMs, maxMs });
          expect(d).toBeLessThanOrEqual(maxMs);
          expect(d).toBeGreaterThanOrEqual(Math.min(initialMs, maxMs));
          expect(retryDelayMs(n + 1, { initialMs, maxMs })).toBeGreaterThanOrEqual(d);
        },
      ),
    );
  });
});
