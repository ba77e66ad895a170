// Pins the outbox: rows are claimed under a lease by one holder only (across connections and processes), reports fold per channel at most once per digest window, retries wait, and pending rows outlive the process.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createOutboxStore, type NewOutboxRow } from '../../src/db/outbox.js';
import { openTracked, tempDbPath } from './helpers.js';

const run = promisify(execFile);
const T = 1_700_000_000_000;
const MIN = 60_000;
const claimOpts = (owner: string, now: number) => ({
  owner,
  now,
  leaseMs: 2 * MIN,
  digestMs: 5 * MIN,
  channels: ['email', 'webhook:x'],
});
const row = (kind: NewOutboxRow['kind'], subject: string, channel = 'email'): NewOutboxRow => ({
  channel,
  kind,
  incidentKey: `guest.crashed:${subject}`,
  payload: { subject, body: `body of ${subject}` },
});

describe('outbox', () => {
  it('leases a claimed row to one holder: another connection gets it only once the lease expires', () => {
    const file = tempDbPath();
    const a = createOutboxStore(openTracked(file));
    const b = createOutboxStore(openTracked(file));
    const [id] = a.add([row('escalation', 'web down')], T);
    expect(a.claim(claimOpts('A', T)).map((r) => r.id)).toEqual([id]);
    expect(b.claim(claimOpts('B', T + MIN))).toEqual([]);
    // A died without settling the row: after the lease B takes over, and A can no longer mark it.
    expect(b.claim(claimOpts('B', T + 2 * MIN)).map((r) => r.id)).toEqual([id]);
    expect(a.markDelivered([id!], 'A', T + 2 * MIN)).toBe(0);
    expect(b.markDelivered([id!], 'B', T + 2 * MIN)).toBe(1);
    expect(b.markDelivered([id!], 'B', T + 2 * MIN)).toBe(0);
    expect(a.get(id!)).toMatchObject({ status: 'delivered', deliveredAt: T + 2 * MIN, leaseOwner: null });
    expect(a.claim(claimOpts('A', T + 10 * MIN))).toEqual([]);
  });

  it('claims escalations before recoveries, and reports of one channel together', () => {
    const o = createOutboxStore(openTracked(tempDbPath()));
    o.add(
      [
        row('report', 'r1'),
        row('recovery', 'ok1'),
        row('report', 'r2'),
        row('escalation', 'e1'),
        row('report', 'w1', 'webhook:x'),
      ],
      T,
    );
    const claimed = o.claim(claimOpts('A', T));
    expect(claimed.map((r) => `${r.channel}/${r.kind}/${r.payload.subject}`)).toEqual([
      'email/escalation/e1',
      'email/recovery/ok1',
      'email/report/r1',
      'email/report/r2',
      'webhook:x/report/w1',
    ]);
  });

  it('sends reports of a channel at most once per digest window, and not while a digest is in flight', () => {
    const o = createOutboxStore(openTracked(tempDbPath()));
    o.add([row('report', 'r1')], T);
    const first = o.claim(claimOpts('A', T));
    o.add([row('report', 'r2')], T + 1000);
    expect(o.claim(claimOpts('B', T + 1000))).toEqual([]);
    o.markDelivered(
      first.map((r) => r.id),
      'A',
      T + 2000,
    );
    expect(o.claim(claimOpts('A', T + 2000 + 5 * MIN - 1))).toEqual([]);
    expect(o.claim(claimOpts('A', T + 2000 + 5 * MIN)).map((r) => r.payload.subject)).toEqual(['r2']);
  });

  it('does not offer a failed row again before its next attempt; backed-off reports join a due digest', () => {
    const o = createOutboxStore(openTracked(tempDbPath()));
    const [e, r1] = o.add([row('escalation', 'e1'), row('report', 'r1')], T);
    o.claim(claimOpts('A', T));
    expect(
      o.markRetry(
        [
          { id: e!, nextAttemptAt: T + MIN },
          { id: r1!, nextAttemptAt: T + 10 * MIN },
        ],
        'A',
        'connect ECONNREFUSED',
      ),
    ).toBe(2);
    expect(o.get(e!)).toMatchObject({ attempts: 1, lastError: 'connect ECONNREFUSED', status: 'pending' });
    expect(o.claim(claimOpts('A', T + MIN - 1))).toEqual([]);
    o.add([row('report', 'r2')], T + MIN - 1);
    expect(o.claim(claimOpts('A', T + MIN)).map((r) => r.payload.subject)).toEqual(['e1', 'r1', 'r2']);
    expect(o.markFailed([e!], 'A', 'gave up')).toBe(1);
    expect(o.counts()).toEqual({ pending: 2, delivered: 0, failed: 1 });
    expect(o.prune(T + 1)).toBe(1);
  });

  it('leaves rows of channels a worker cannot send to, and drops them once they are too old', () => {
    const o = createOutboxStore(openTracked(tempDbPath()));
    const [gone] = o.add([row('escalation', 'e1', 'webhook:removed'), row('escalation', 'e2')], T);
    expect(o.claim(claimOpts('A', T)).map((r) => r.channel)).toEqual(['email']);
    expect(o.dropOrphans(['email'], T, 'no such destination')).toBe(0);
    expect(o.dropOrphans(['email'], T + 1, 'no such destination')).toBe(1);
    expect(o.get(gone!)).toMatchObject({ status: 'failed', lastError: 'no such destination' });
  });

  it('keeps pending rows across a restart: a new process sends what the old one left', () => {
    const file = tempDbPath();
    const db = openTracked(file);
    const [id] = createOutboxStore(db).add([row('recovery', 'back')], T);
    createOutboxStore(db).claim(claimOpts('dead-process', T));
    db.close();
    const again = createOutboxStore(openTracked(file));
    expect(again.claim(claimOpts('new-process', T + 2 * MIN)).map((r) => r.id)).toEqual([id]);
  });

  it('two processes draining one outbox deliver every row exactly once', async () => {
    const file = tempDbPath();
    const seed = openTracked(file);
    const ids = createOutboxStore(seed).add(
      Array.from({ length: 400 }, (_, i) => row(i % 2 ? 'escalation' : 'recovery', `n${i}`)),
      Date.now() - 1000,
    );
    const worker = (owner: string) =>
      run(process.execPath, ['--import', 'tsx', 'test/db/outbox-claim-worker.ts', file, owner], { cwd: process.cwd() });
    const outs = await Promise.all([worker('p1'), worker('p2')]);
    const delivered = outs.flatMap((o) => JSON.parse(o.stdout) as number[]);
    expect(delivered.sort((x, y) => x - y)).toEqual(ids);
    expect(createOutboxStore(seed).counts()).toEqual({ pending: 0, delivered: 400, failed: 0 });
  }, 60_000);
});
