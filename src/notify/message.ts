/**
 * From outbox rows to what is sent: one message per escalation or recovery, one digest per batch
 * of reports, and the JSON bodies of the Slack, Discord and ntfy webhook formats. Pure functions.
 */
import type { NotificationKind, OutboxPayload, OutboxRow } from '../db/outbox.js';
import type { WebhookFormat } from '../config/types.js';

/** One delivery: a single notification, or several reports folded into a digest. */
export interface OutgoingMessage {
  kind: NotificationKind;
  /** Without the "[vigil]" prefix channels add. */
  subject: string;
  /** Plain text, snapshot included. */
  body: string;
  incidentKeys: string[];
  /** Outbox rows this message delivers. */
  ids: number[];
}

const HEADINGS: Record<NotificationKind, string> = { report: '', escalation: 'ESCALATION: ', recovery: 'RECOVERED: ' };

/**
 * The subject without what delivery adds itself: the "[vigil]" prefix and the kind's heading.
 * A caller that already wrote them must not see "[vigil] ESCALATION: [vigil] ESCALATION: ...".
 */
export function bareSubject(kind: NotificationKind, subject: string): string {
  const bare = subject.replace(/^\s*\[vigil\]\s*/i, '');
  const heading = HEADINGS[kind].trim();
  const stripped = heading ? bare.replace(new RegExp(`^${heading}\\s*`, 'i'), '') : bare;
  return stripped.trim() || subject.trim();
}

/** Renders a diagnostic snapshot as titled sections. */
export function snapshotText(snapshot: OutboxPayload['snapshot']): string {
  if (snapshot === undefined) return '';
  if (typeof snapshot === 'string') return `Diagnostic snapshot\n-------------------\n${snapshot.trimEnd()}`;
  const sections = Object.entries(snapshot).map(([title, text]) => `== ${title} ==\n${text.trimEnd()}`);
  return sections.length ? `Diagnostic snapshot\n-------------------\n${sections.join('\n\n')}` : '';
}

function fullBody(p: OutboxPayload): string {
  const snap = snapshotText(p.snapshot);
  return snap ? `${p.body.trimEnd()}\n\n${snap}` : p.body.trimEnd();
}

function keys(rows: readonly OutboxRow[]): string[] {
  return [...new Set(rows.map((r) => r.incidentKey).filter((k): k is string => k !== null))];
}

/**
 * Groups claimed rows of one channel into messages: each escalation and recovery alone, all
 * reports in one digest. Escalations come first so a backlog never delays them.
 */
export function buildMessages(rows: readonly OutboxRow[]): OutgoingMessage[] {
  const order: NotificationKind[] = ['escalation', 'recovery'];
  const singles = [...rows]
    .filter((r) => r.kind !== 'report')
    .sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.id - b.id)
    .map((r) => ({
      kind: r.kind,
      subject: `${HEADINGS[r.kind]}${r.payload.subject}`,
      body: fullBody(r.payload),
      incidentKeys: keys([r]),
      ids: [r.id],
    }));
  const reports = rows.filter((r) => r.kind === 'report').sort((a, b) => a.id - b.id);
  return reports.length ? [...singles, digest(reports)] : singles;
}

/** Folds reports into one message; a digest of one is that report unchanged. */
export function digest(reports: readonly OutboxRow[]): OutgoingMessage {
  const first = reports[0];
  if (!first) throw new Error('digest of no reports');
  const base = { kind: 'report' as const, incidentKeys: keys(reports), ids: reports.map((r) => r.id) };
  if (reports.length === 1) return { ...base, subject: first.payload.subject, body: fullBody(first.payload) };
  const items = reports.map((r) => {
    const title = `${new Date(r.createdAt).toISOString()}  ${r.payload.subject}`;
    return `${title}\n${'-'.repeat(title.length)}\n${fullBody(r.payload)}`;
  });
  return {
    ...base,
    subject: `${reports.length} remediation reports`,
    body: `${reports.length} remediation reports since the last digest:\n\n${items.join('\n\n')}`,
  };
}

/** Cuts text to `max` characters, saying so. */
export function truncate(text: string, max: number): string {
  const note = '\n… (truncated; the full text is in the email and the event log)';
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - note.length))}${note}`;
}

const NTFY: Record<NotificationKind, { priority: number; tags: string[] }> = {
  escalation: { priority: 5, tags: ['rotating_light'] },
  recovery: { priority: 3, tags: ['white_check_mark'] },
  report: { priority: 3, tags: ['wrench'] },
};
const DISCORD_COLOURS: Record<NotificationKind, number> = {
  escalation: 0xd92d20,
  recovery: 0x2e9f5a,
  report: 0x3b82f6,
};

/** Where to POST and the JSON to send for one webhook format. */
export function webhookRequest(
  format: WebhookFormat,
  url: string,
  msg: OutgoingMessage,
): { url: string; body: unknown } {
  const title = `[vigil] ${msg.subject}`;
  switch (format) {
    case 'slack':
      // Incoming webhooks take `text` (mrkdwn); Slack advises keeping it under 4,000 characters.
      return { url, body: { text: truncate(`*${title}*\n${msg.body}`, 3900) } };
    case 'discord':
      // Embed limits: title 256, description 4,096 characters.
      return {
        url,
        body: {
          username: 'vigil',
          embeds: [
            { title: truncate(title, 256), description: truncate(msg.body, 4000), color: DISCORD_COLOURS[msg.kind] },
          ],
        },
      };
    case 'ntfy': {
      // ntfy takes JSON at the server root with the topic inside: https://ntfy.sh/alerts → POST https://ntfy.sh/ {topic: "alerts"}.
      const u = new URL(url);
      const parts = u.pathname.split('/').filter(Boolean);
      const topic = parts.pop() ?? '';
      u.pathname = `/${parts.map((p) => `${p}/`).join('')}`;
      return {
        url: u.toString(),
        body: { topic, title, message: truncate(msg.body, 3500), ...NTFY[msg.kind] },
      };
    }
  }
}
