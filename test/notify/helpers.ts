/** Shared helpers for the notification tests: a settable clock, config builders and the stack over a real SQLite file. */
import { pino } from 'pino';
import type { NotificationsConfig, WebhookConfig } from '../../src/config/types.js';
import { createEventStore } from '../../src/db/events.js';
import { createSqlitePorts } from '../../src/db/sqlite-ports.js';
import { createNotifications } from '../../src/notify/index.js';
import type { DeliveryOptions } from '../../src/notify/worker.js';
import { createEventBus } from '../../src/realtime/bus.js';
import { openTracked } from '../db/helpers.js';
import { SMTP_PASSWORD, SMTP_USER } from './smtp-sink.js';

export const T0 = 1_700_000_000_000;
export const SEC = 1000;
export const MIN = 60 * SEC;

/** A clock the test moves by hand. */
export function testClock(start = T0) {
  const c = {
    t: start,
    now: () => c.t,
    advance(ms: number) {
      c.t += ms;
    },
  };
  return c;
}
export type TestClock = ReturnType<typeof testClock>;

/** Notifications config: email to the sink on `smtpPort` (when given) and the webhooks. */
export function notificationsConfig(
  o: { smtpPort?: number; password?: string; webhooks?: WebhookConfig[] } = {},
): NotificationsConfig {
  return {
    ...(o.smtpPort !== undefined && {
      email: {
        host: '127.0.0.1',
        port: o.smtpPort,
        secure: false,
        user: SMTP_USER,
        password: o.password ?? SMTP_PASSWORD,
        from: 'vigil <vigil@lab.test>',
        to: ['ops@lab.test', 'oncall@lab.test'],
      },
    }),
    webhooks: o.webhooks ?? [],
    reportDigestSeconds: 300,
    retry: { initialSeconds: 30, maxSeconds: 600, giveUpHours: 72 },
  };
}

/** The whole stack over the database file `file`, as one vigil process would build it; events go to a real bus. */
export function notificationStack(
  file: string,
  config: NotificationsConfig,
  clock: TestClock,
  options: Partial<DeliveryOptions> = {},
) {
  const db = openTracked(file);
  const events = createEventStore(db);
  const ports = createSqlitePorts(db);
  const bus = createEventBus({ store: ports.events, now: clock.now });
  const outbox = ports.outbox;
  const stack = createNotifications({
    config,
    outbox,
    logger: pino({ level: 'silent' }),
    now: clock.now,
    bus,
    options,
  });
  return { ...stack, db, events };
}

/** A report, an escalation or a recovery for `target`. */
export function note(
  kind: 'report' | 'escalation' | 'recovery',
  target: string,
  extra: { snapshot?: string | Record<string, string>; body?: string } = {},
) {
  return {
    kind,
    incidentKey: `guest.crashed:${target}`,
    subject: `${kind} ${target}`,
    body: extra.body ?? `${kind} body for ${target}`,
    ...(extra.snapshot !== undefined && { snapshot: extra.snapshot }),
  };
}
