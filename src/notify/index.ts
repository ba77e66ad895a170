/**
 * Notifications wired from config: the outbox store, one sender per destination, the delivery
 * worker and the notifier the monitor calls. `src/cli.ts` builds this once and starts the worker.
 */
import type { Logger } from 'pino';
import type { NotificationsConfig } from '../config/types.js';
import type { OutboxPort } from '../db/ports.js';
import type { NewEvent } from '../contracts/events.js';
import { createNotifier } from './notifier.js';
import { createSenders, type Sender } from './senders.js';
import { createDeliveryWorker, type DeliveryOptions } from './worker.js';

export { createNotifier, notificationSchema, type Notification, type Notifier } from './notifier.js';
export { createDeliveryWorker, retryDelayMs, type DeliveryWorker, type DeliveryResult } from './worker.js';
export { createSenders, createEmailSender, createWebhookSender, type Sender } from './senders.js';

/** Worker timing derived from config: a lease of 5 minutes outlasts any sender's timeouts. */
export function deliveryOptions(config: NotificationsConfig): DeliveryOptions {
  return {
    digestMs: config.reportDigestSeconds * 1000,
    retry: {
      initialMs: config.retry.initialSeconds * 1000,
      maxMs: config.retry.maxSeconds * 1000,
      giveUpMs: config.retry.giveUpHours * 3_600_000,
    },
    leaseMs: 300_000,
    pollMs: 5000,
  };
}

/** Builds the notification stack over `db`. Call `worker.start()` in a daemon, or `worker.runOnce()`. */
export function createNotifications(deps: {
  config: NotificationsConfig;
  /** The outbox table (`stores.outbox`). */
  outbox: OutboxPort;
  logger: Logger;
  now(): number;
  bus?: { publish(event: NewEvent): unknown };
  /** Replaces the senders built from config (tests); rows are still queued for the configured destinations. */
  senders?: readonly Sender[];
  options?: Partial<DeliveryOptions>;
  redact?: (value: unknown) => unknown;
}) {
  const { outbox } = deps;
  const configured = createSenders(deps.config);
  const senders = deps.senders ?? configured;
  const worker = createDeliveryWorker({
    outbox,
    senders,
    now: deps.now,
    logger: deps.logger,
    ...(deps.bus && { bus: deps.bus }),
    options: { ...deliveryOptions(deps.config), ...deps.options },
  });
  const channels = configured.map((s) => s.channel);
  const notifier = createNotifier({
    outbox,
    channels,
    now: deps.now,
    wake: worker.wake,
    ...(deps.redact ? { redact: deps.redact } : {}),
  });
  return { outbox, worker, notifier };
}

export type Notifications = ReturnType<typeof createNotifications>;
