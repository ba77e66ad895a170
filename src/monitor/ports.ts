/**
 * What the monitor needs from modules built beside it, as interfaces it owns: the notifier
 * (outbox, email, webhooks) and the sample store (trend forecasts). Both are optional
 * dependencies of createMonitor; without them the monitor still detects, acts and records.
 */

import type { NotificationKind } from '../db/outbox.js';

/** Kinds of notification the monitor sends (reports fold into digests, escalations go at once): the outbox's. */
export { NOTIFICATION_KINDS, type NotificationKind } from '../db/outbox.js';

export interface NotificationRequest {
  kind: NotificationKind;
  incidentKey: string;
  subject: string;
  body: string;
  /** A diagnostic snapshot (text) taken when the notification was decided. */
  snapshot?: string;
}

/** Queues a notification durably; delivery (and retries) are the notifier's business. */
export interface Notifier {
  enqueue(request: NotificationRequest): unknown;
}

/**
 * The sample store as the monitor uses it: records node metrics (`disk.percent`, `memory.percent`),
 * reads a series back for `disk.fill_predicted`, and prunes by retention on the daily schedule.
 * The sample store (`stores.samples`, src/db/samples.ts) satisfies it.
 */
export interface SampleStorePort {
  record(node: string, metric: string, value: number, at: number): Promise<void>;
  latest(node: string, metric: string): Promise<{ at: number; value: number } | undefined>;
  /** Observations at or after `since`, oldest first. */
  series(node: string, metric: string, since: number): Promise<{ at: number; value: number }[]>;
  /** Deletes observations older than `retentionMs` before `now`; returns how many. */
  prune(now: number, retentionMs: number): Promise<number>;
}

/** Waits `ms` (or until the signal aborts); injectable so tests can shorten verification waits. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The real sleep: a timer that an abort cuts short. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, Math.max(0, ms));
    function done() {
      signal?.removeEventListener('abort', done);
      clearTimeout(t);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
