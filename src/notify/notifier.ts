/**
 * What the monitor calls to tell people something: `enqueue` stores one outbox row per configured
 * destination (one transaction) and wakes the delivery worker. It never sends anything itself, so
 * a notification survives SMTP being down or the process dying right after.
 */
import { z } from 'zod';
import { NOTIFICATION_KINDS, type OutboxStore } from '../db/outbox.js';
import { bareSubject } from './message.js';

export const notificationSchema = z.object({
  kind: z.enum(NOTIFICATION_KINDS),
  incidentKey: z.string().min(1).max(300),
  subject: z.string().min(1).max(300),
  /** For escalations: what happened, the attempts so far and their results (the history). */
  body: z.string().max(200_000),
  /** Diagnostic output: one text, or sections by title such as `{"df -h": "...", "free -m": "..."}`. */
  snapshot: z.union([z.string().max(200_000), z.record(z.string(), z.string().max(200_000))]).optional(),
});
export type Notification = z.infer<typeof notificationSchema>;

/** The notifier as the monitor sees it. */
export interface Notifier {
  /**
   * Queues a notification for every destination; returns the outbox row ids (none when no
   * destination is configured). Reports are folded into digests; escalations and recoveries go
   * out one by one, escalations as soon as the worker runs. Throws on an invalid notification.
   */
  enqueue(notification: Notification): number[];
}

/** Creates the notifier over the outbox; `channels` come from the configured senders. */
export function createNotifier(deps: {
  outbox: OutboxStore;
  channels: readonly string[];
  now(): number;
  /** Asks the delivery worker to run soon. */
  wake?: () => void;
}): Notifier {
  return {
    enqueue(notification) {
      const n = notificationSchema.parse(notification);
      const payload = { subject: bareSubject(n.kind, n.subject), body: n.body, ...(n.snapshot !== undefined && { snapshot: n.snapshot }) };
      const ids = deps.outbox.add(
        deps.channels.map((channel) => ({ channel, kind: n.kind, incidentKey: n.incidentKey, payload })),
        deps.now(),
      );
      if (ids.length) deps.wake?.();
      return ids;
    },
  };
}
