// Pins email delivery through a real SMTP server: subjects and recipients, escalations at once with history and snapshot, reports folded into at most one digest per window, every mail delivered exactly once across an SMTP outage and a restart.
import { afterEach, describe, expect, it } from 'vitest';
import { startSmtpSink, SMTP_PASSWORD, type SmtpSink } from './smtp-sink.js';
import { MIN, SEC, note, notificationStack, notificationsConfig, testClock } from './helpers.js';
import { tempDbPath } from '../db/helpers.js';

const sinks: SmtpSink[] = [];
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  for (const s of sinks.splice(0)) await s.stop();
});

async function setup(clock = testClock()) {
  const sink = await startSmtpSink(clock.now);
  sinks.push(sink);
  const file = tempDbPath();
  const stack = notificationStack(file, notificationsConfig({ smtpPort: sink.port }), clock);
  stops.push(() => stack.worker.stop());
  return { sink, file, clock, ...stack };
}

describe('email notifications', () => {
  it('delivers an escalation with its history and snapshot, a recovery and a report, to every recipient', async () => {
    const { sink, notifier, worker } = await setup();
    await notifier.enqueue(
      note('report', 'vm 101', { body: 'VM 101 crashed; start_guest succeeded; verified running after 4 s' }),
    );
    await notifier.enqueue(note('recovery', 'vm 102'));
    await notifier.enqueue(
      note('escalation', 'vm 103', {
        body: 'History:\n- 10:00 start_guest failed: VM is locked (backup)\n- 10:05 start_guest failed: VM is locked (backup)',
        snapshot: { 'df -h': '/dev/sda1  20G  19G  1G  95% /', 'free -m': 'Mem: 2048 1900 148' },
      }),
    );
    expect(await worker.runOnce()).toEqual({ sent: 3, delivered: 3, failed: 0, givenUp: 0 });
    expect(sink.mails.map((m) => m.subject)).toEqual([
      '[vigil] ESCALATION: escalation vm 103',
      '[vigil] RECOVERED: recovery vm 102',
      '[vigil] report vm 101',
    ]);
    for (const mail of sink.mails) {
      expect(mail.rcptTo).toEqual(['ops@lab.test', 'oncall@lab.test']);
      expect(mail.from).toBe('vigil@lab.test');
      expect(mail.headers.get('to')).toBe('ops@lab.test, oncall@lab.test');
    }
    const [escalation] = sink.mails;
    expect(escalation!.headers.get('x-vigil-kind')).toBe('escalation');
    expect(escalation!.headers.get('x-priority')).toMatch(/^1/);
    expect(escalation!.text).toContain('- 10:05 start_guest failed: VM is locked (backup)');
    expect(escalation!.text).toContain('== df -h ==\n/dev/sda1  20G  19G  1G  95% /');
    expect(escalation!.text).toContain('== free -m ==\nMem: 2048 1900 148');
    expect(await worker.runOnce()).toEqual({ sent: 0, delivered: 0, failed: 0, givenUp: 0 });
    expect(sink.mails).toHaveLength(3);
  });

  it('folds reports into at most one digest per 5 minutes while escalations go out at once', async () => {
    const { sink, notifier, worker, clock, outbox } = await setup();
    const reports: string[] = [];
    // Twenty minutes of a report every 20 s, the worker running every 10 s, and an escalation at minute 7.
    for (let step = 0; step < 120; step += 1) {
      if (step % 2 === 0) {
        await notifier.enqueue(note('report', `vm ${step}`));
        reports.push(`report vm ${step}`);
      }
      if (step === 42) await notifier.enqueue(note('escalation', 'vm 999'));
      await worker.runOnce();
      if (step === 42) expect(sink.mails.at(-1)?.subject).toBe('[vigil] ESCALATION: escalation vm 999');
      clock.advance(10 * SEC);
    }
    clock.advance(5 * MIN);
    await worker.runOnce();
    const digests = sink.mails.filter((m) => m.headers.get('x-vigil-kind') === 'report');
    expect(digests.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < digests.length; i += 1)
      expect(digests[i]!.at - digests[i - 1]!.at).toBeGreaterThanOrEqual(5 * MIN);
    expect(digests[1]!.subject).toMatch(/^\[vigil\] \d+ remediation reports$/);
    // Every report is in exactly one digest.
    const seen = digests.flatMap((d) => d.text.match(/report vm \d+(?=\n-)/g) ?? []);
    const single = digests
      .filter((d) => !/remediation reports$/.test(d.subject))
      .map((d) => d.subject.replace('[vigil] ', ''));
    expect([...seen, ...single].sort()).toEqual([...reports].sort());
    expect(await outbox.counts()).toEqual({ pending: 0, delivered: 61, failed: 0 });
  });

  it('delivers every mail once SMTP is back after an outage and a process restart, none twice', async () => {
    const { sink, notifier, worker, clock, file, events, outbox } = await setup();
    /** Runs cycles at the current instant until one finds nothing to try. */
    const drain = async () => {
      const total = { sent: 0, failed: 0 };
      for (let i = 0; i < 10; i += 1) {
        const r = await worker.runOnce();
        total.sent += r.sent;
        total.failed += r.failed;
        if (r.sent + r.failed === 0) break;
      }
      return total;
    };
    await notifier.enqueue(note('report', 'before'));
    await worker.runOnce();
    expect(sink.mails).toHaveLength(1);

    await sink.stop();
    await notifier.enqueue(note('escalation', 'vm 201', { snapshot: 'uptime: 10 days' }));
    await notifier.enqueue(note('recovery', 'vm 202'));
    clock.advance(5 * MIN);
    await notifier.enqueue(note('report', 'during 1'));
    await notifier.enqueue(note('report', 'during 2'));
    // After a failure the rest of the channel's batch goes back untried; cycles at the same instant try the next ones.
    expect(await drain()).toEqual({ sent: 0, failed: 3 });
    const failures = events.latest(10).filter((e) => e.type === 'notification.failed');
    expect(failures).toHaveLength(3);
    expect(failures[0]).toMatchObject({
      severity: 'warning',
      incidentKey: 'guest.crashed:vm 201',
      data: { attempts: 1, kind: 'escalation' },
    });
    expect(failures[0]!.message).toMatch(/^email via 127\.0\.0\.1:\d+: .*ECONNREFUSED.*; next attempt at /);

    // Retries back off: 30 s after the first failure, then 60 s.
    clock.advance(29 * SEC);
    expect(await drain()).toEqual({ sent: 0, failed: 0 });
    clock.advance(1 * SEC);
    expect(await drain()).toEqual({ sent: 0, failed: 3 });
    clock.advance(59 * SEC);
    expect(await drain()).toEqual({ sent: 0, failed: 0 });
    expect((await outbox.list()).map((r) => r.attempts)).toEqual([0, 2, 2, 2, 2]);
    expect(await outbox.counts()).toEqual({ pending: 4, delivered: 1, failed: 0 });

    // The process dies; a new one on the same database takes over once SMTP is back.
    await worker.stop();
    const next = notificationStack(file, notificationsConfig({ smtpPort: sink.port }), clock);
    stops.push(() => next.worker.stop());
    await sink.start();
    clock.advance(10 * MIN);
    expect(await next.worker.runOnce()).toEqual({ sent: 3, delivered: 4, failed: 0, givenUp: 0 });
    for (let i = 0; i < 5; i += 1) {
      clock.advance(10 * MIN);
      await next.worker.runOnce();
    }
    expect(sink.mails.map((m) => m.subject).sort()).toEqual(
      [
        '[vigil] report before',
        '[vigil] ESCALATION: escalation vm 201',
        '[vigil] RECOVERED: recovery vm 202',
        '[vigil] 2 remediation reports',
      ].sort(),
    );
    expect(await next.outbox.counts()).toEqual({ pending: 0, delivered: 5, failed: 0 });
  });

  it('a running worker sends an escalation as soon as it is queued, without waiting for its poll', async () => {
    const clock = testClock();
    const sink = await startSmtpSink(clock.now);
    sinks.push(sink);
    const stack = notificationStack(tempDbPath(), notificationsConfig({ smtpPort: sink.port }), clock, {
      pollMs: 3_600_000,
    });
    stops.push(() => stack.worker.stop());
    stack.worker.start();
    await stack.worker.runOnce();
    await stack.notifier.enqueue(note('escalation', 'vm 404'));
    for (let i = 0; i < 200 && sink.mails.length === 0; i += 1) await new Promise((r) => setTimeout(r, 25));
    expect(sink.mails.map((m) => m.subject)).toEqual(['[vigil] ESCALATION: escalation vm 404']);
    await stack.worker.stop();
    expect(await stack.outbox.counts()).toEqual({ pending: 0, delivered: 1, failed: 0 });
  });

  it('two processes on one database send each mail once', async () => {
    const { sink, notifier, worker, file, clock } = await setup();
    const other = notificationStack(file, notificationsConfig({ smtpPort: sink.port }), clock);
    stops.push(() => other.worker.stop());
    for (let i = 0; i < 10; i += 1) await notifier.enqueue(note(i % 2 ? 'escalation' : 'recovery', `vm ${i}`));
    await other.notifier.enqueue(note('report', 'from the other process'));
    const results = await Promise.all([worker.runOnce(), other.worker.runOnce()]);
    expect(results.reduce((n, r) => n + r.delivered, 0)).toBe(11);
    expect(await Promise.all([worker.runOnce(), other.worker.runOnce()])).toEqual([
      { sent: 0, delivered: 0, failed: 0, givenUp: 0 },
      { sent: 0, delivered: 0, failed: 0, givenUp: 0 },
    ]);
    expect(sink.mails).toHaveLength(11);
    expect(new Set(sink.mails.map((m) => m.subject)).size).toBe(11);
  });

  it('gives up after giveUpHours with a critical event, and never puts the SMTP password in one', async () => {
    const clock = testClock();
    const sink = await startSmtpSink(clock.now);
    sinks.push(sink);
    const stack = notificationStack(
      tempDbPath(),
      notificationsConfig({ smtpPort: sink.port, password: 'wrong-password-77' }),
      clock,
    );
    stops.push(() => stack.worker.stop());
    await stack.notifier.enqueue(note('escalation', 'vm 301'));
    await stack.worker.runOnce();
    for (let step = 0; step < 7; step += 1) {
      clock.advance(12 * 60 * MIN);
      await stack.worker.runOnce();
    }
    const failed = stack.events.latest(200).filter((e) => e.type === 'notification.failed');
    expect(failed.at(-1)).toMatchObject({
      severity: 'critical',
      title: 'Notification dropped: ESCALATION: escalation vm 301',
    });
    expect(failed.at(-1)!.message).toMatch(/Invalid login|535|auth/i);
    expect(JSON.stringify(failed)).not.toContain('wrong-password-77');
    expect(JSON.stringify(failed)).not.toContain(SMTP_PASSWORD);
    expect(await stack.outbox.counts()).toEqual({ pending: 0, delivered: 0, failed: 1 });
    expect(sink.mails).toHaveLength(0);
  });
});
