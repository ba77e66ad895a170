/**
 * The two ways a message leaves vigil: SMTP through nodemailer, and a JSON POST to a webhook.
 * A sender either resolves (the peer accepted the message) or throws an Error whose message is
 * safe to log and store: it names the destination by label, never by its secret URL or password.
 */
import { createHash } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import type { NotificationsConfig, WebhookConfig } from '../config/types.js';
import { webhookRequest, type OutgoingMessage } from './message.js';

/** One destination. `channel` is what outbox rows store; `label` is what logs and events show. */
export interface Sender {
  channel: string;
  label: string;
  send(msg: OutgoingMessage): Promise<void>;
  close?(): void;
}

export const EMAIL_CHANNEL = 'email';

/** A stable id for a webhook that does not reveal its URL, and survives reordering the config list. */
export function webhookChannel(url: string): string {
  return `webhook:${createHash('sha256').update(url).digest('hex').slice(0, 12)}`;
}

/** Ms; short of the outbox lease, so a hung peer cannot outlive the claim and cause a second send. */
export const SEND_TIMEOUT_MS = 30_000;

/**
 * Sends mail over SMTP. One transport per process, made (and nodemailer imported) for the first
 * message, so a daemon that has sent none does not hold it; connections are opened per message.
 */
export function createEmailSender(
  config: NonNullable<NotificationsConfig['email']>,
  timeoutMs = SEND_TIMEOUT_MS,
): Sender {
  let transport: Promise<Transporter> | undefined;
  const open = (): Promise<Transporter> =>
    (transport ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        host: config.host,
        port: config.port,
        secure: config.secure,
        ...(config.user !== undefined && { auth: { user: config.user, pass: config.password ?? '' } }),
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      }),
    ));
  const domain = /@([^>\s]+)>?$/.exec(config.from)?.[1] ?? 'vigil.local';
  const label = `email via ${config.host}:${config.port}`;
  return {
    channel: EMAIL_CHANNEL,
    label,
    async send(msg) {
      try {
        await (
          await open()
        ).sendMail({
          from: config.from,
          to: config.to,
          subject: `[vigil] ${msg.subject}`,
          text: msg.body,
          // The same rows give the same Message-ID, so a resend after a crash can be recognised.
          messageId: `<vigil-outbox-${msg.ids[0]}-${msg.ids.length}@${domain}>`,
          ...(msg.kind === 'escalation' && { priority: 'high' as const }),
          headers: {
            'X-Vigil-Kind': msg.kind,
            ...(msg.incidentKeys.length && { 'X-Vigil-Incidents': msg.incidentKeys.slice(0, 20).join(', ') }),
          },
        });
      } catch (err) {
        throw new Error(`${label}: ${describe(err, timeoutMs)}`);
      }
    },
    close: () => void transport?.then((t) => t.close()),
  };
}

/** POSTs the format's JSON to a webhook; any 2xx is success. */
export function createWebhookSender(config: WebhookConfig, timeoutMs = SEND_TIMEOUT_MS): Sender {
  const label = `${config.format} webhook at ${new URL(config.url).host}`;
  return {
    channel: webhookChannel(config.url),
    label,
    async send(msg) {
      const req = webhookRequest(config.format, config.url, msg);
      let res: Response;
      try {
        res = await fetch(req.url, {
          method: 'POST',
          headers: { ...config.headers, 'content-type': 'application/json' },
          body: JSON.stringify(req.body),
          // A redirect would carry the headers (tokens) to wherever it points.
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw new Error(`${label}: ${describe(err, timeoutMs)}`);
      }
      if (!res.ok) {
        const text = (await res.text().catch(() => '')).replace(/\s+/g, ' ').slice(0, 200);
        throw new Error(`${label} answered ${res.status}${text ? `: ${text}` : ''}`);
      }
      await res.body?.cancel().catch(() => undefined);
    },
  };
}

/** Builds a sender per configured destination. */
export function createSenders(config: NotificationsConfig): Sender[] {
  return [
    ...(config.email ? [createEmailSender(config.email)] : []),
    ...config.webhooks.map((w) => createWebhookSender(w)),
  ];
}

/** The useful part of a network error: fetch hides the cause ("fetch failed"), nodemailer names the SMTP reply. */
function describe(err: unknown, timeoutMs: number): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) return `${err.message} (${(cause as NodeJS.ErrnoException).code ?? cause.message})`;
  if (err.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  return err.message;
}
