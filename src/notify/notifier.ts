/**
 * What the monitor calls to tell people something: `enqueue` stores one outbox row per configured
 * destination (one transaction) and wakes the delivery worker. It never sends anything itself, so
 * a notification survives SMTP being down or the process dying right after.
 */
import { z } from 'zod';
import { NOTIFICATION_KINDS } from '../db/outbox.js';
import type { OutboxPort } from '../db/ports.js';
import { bareSubject } from './message.js';

const SUBJECT_MAX = 300;
const TEXT_MAX = 200_000;

export const notificationSchema = z.object({
  kind: z.enum(NOTIFICATION_KINDS),
  incidentKey: z.string().min(1).max(300),
  subject: z.string().min(1).max(SUBJECT_MAX),
  /** For escalations: what happened, the attempts so far and their results (the history). */
  body: z.string().max(TEXT_MAX),
  /** Diagnostic output: one text, or sections by title such as `{"df -h": "...", "free -m": "..."}`. */
  snapshot: z.union([z.string().max(TEXT_MAX), z.record(z.string(), z.string().max(TEXT_MAX))]).optional(),
});
export type Notification = z.infer<typeof notificationSchema>;

/** The notifier as the monitor sees it. */
export interface Notifier {
  /**
   * Queues a notification for every destination; returns the outbox row ids (none when no
   * destination is configured). Reports are folded into digests; escalations and recoveries go
   * out one by one, escalations as soon as the worker runs. Throws on an invalid notification.
   */
  enqueue(notification: Notification): Promise<number[]>;
}

/** Creates the notifier over the outbox; `channels` come from the configured senders. */
export function createNotifier(deps: {
  outbox: OutboxPort;
  channels: readonly string[];
  now(): number;
  /** Asks the delivery worker to run soon. */
  wake?: () => void;
  /** Scrubs secrets (tool output quoted in a body) before anything is queued. */
  redact?: (value: unknown) => unknown;
}): Notifier {
  return {
    async enqueue(notification) {
      const n = notificationSchema.parse(
        withinLimits(deps.redact ? (deps.redact(notification) as Notification) : notification),
      );
      const payload = {
        subject: bareSubject(n.kind, n.subject),
        body: n.body,
        ...(n.snapshot !== undefined && { snapshot: n.snapshot }),
      };
      const ids = await deps.outbox.add(
        deps.channels.map((channel) => ({ channel, kind: n.kind, incidentKey: n.incidentKey, payload })),
        deps.now(),
      );
      if (ids.length) deps.wake?.();
      return ids;
    },
  };
}

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/**
 * Shortens what is only too long: a summary carrying a long HTTP error, or a big diagnostic, must
 * still be told (shortened) rather than rejected — an escalation lost to a length check is the worst outcome.
 */
function withinLimits(n: Notification): Notification {
  const { snapshot } = n;
  return {
    ...n,
    subject: clip(n.subject, SUBJECT_MAX),
    body: clip(n.body, TEXT_MAX),
    ...(snapshot !== undefined && {
      snapshot:
        typeof snapshot === 'string'
          ? clip(snapshot, TEXT_MAX)
          : Object.fromEntries(Object.entries(snapshot).map(([k, v]) => [k, clip(v, TEXT_MAX)])),
    }),
  };
}
