// Pins the monitor's notifications end to end through the outbox to a real SMTP server: a report and a recovery for a fixed crash, an escalation with history and snapshot for one that cannot be fixed.
import { afterEach, describe, expect, it } from 'vitest';
import { createNotifications, type Notifications } from '../../src/notify/index.js';
import { SMTP_PASSWORD, SMTP_USER, startSmtpSink, type SmtpSink } from '../notify/smtp-sink.js';
import { eventually, startMonitorLab, type MonitorLab } from '../monitor/harness.js';
import { silentLogger } from '../helpers/vigil.js';

let t: MonitorLab | undefined;
let sink: SmtpSink | undefined;
afterEach(async () => {
  await t?.close();
  await sink?.stop();
  t = undefined;
  sink = undefined;
});

async function setup(): Promise<{ m: MonitorLab; n: Notifications; s: SmtpSink }> {
  const s = (sink = await startSmtpSink());
  const m = (t = await startMonitorLab({
    yaml: [
      'notifications:',
      `  email: { host: 127.0.0.1, port: ${s.port}, user: ${SMTP_USER}, password: ${SMTP_PASSWORD}, from: "vigil <vigil@lab.test>", to: [ops@lab.test] }`,
      '  reportDigestSeconds: 300',
    ].join('\n'),
  }));
  const n = createNotifications({
    config: m.core.config.notifications,
    outbox: m.core.stores.outbox,
    logger: silentLogger,
    now: m.now,
    bus: m.core.bus,
  });
  m.restart({ notifier: n.notifier });
  await m.cycle('critical');
  return { m, n, s };
}

describe('monitor mail', () => {
  it('a crash fixed by the monitor: a report (digest) and a recovery notice arrive', async () => {
    const { m, n, s } = await setup();
    m.lab.state.crashGuest(100);
    await m.cycle('critical');
    await n.worker.runOnce();
    m.advance(301_000);
    await n.worker.runOnce();
    await eventually(() => s.mails.length >= 2, 10_000, 'two mails');
    const subjects = s.mails.map((x) => x.subject).join('\n');
    expect(subjects).toMatch(/guest\.crashed 100|VM 100/);
    expect(subjects).toMatch(/resolved/i);
    expect(s.mails.every((x) => x.rcptTo.includes('ops@lab.test'))).toBe(true);
  });

  it('a remediation that keeps failing: the escalation mail carries the history and a snapshot', async () => {
    const { m, n, s } = await setup();
    m.lab.state.crashGuest(100);
    m.lab.state.lockGuest(100, 'backup');
    await m.cycle('critical');
    m.advance(31_000);
    await m.cycle('critical');
    m.advance(121_000);
    await m.cycle('critical');
    await n.worker.runOnce();
    await eventually(() => s.mails.some((x) => /escalat/i.test(x.subject)), 10_000, 'the escalation mail');
    const mail = s.mails.find((x) => /escalat/i.test(x.subject))!;
    expect(mail.text).toMatch(/locked/);
    expect(mail.text).toMatch(/restart-crashed-guest start_guest → failed/);
    expect(mail.text).toMatch(/get_guest_status/);
  });
});
