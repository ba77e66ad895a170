// Pins webhook delivery against a local HTTP server: the Slack, Discord and ntfy JSON formats, custom headers, long texts cut to each format's limit, and retry after a failing endpoint without leaking the secret URL.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookConfig } from '../../src/config/types.js';
import { tempDbPath } from '../db/helpers.js';
import { SEC, note, notificationStack, notificationsConfig, testClock } from './helpers.js';

interface Hit {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

let server: Server;
let base = '';
let hits: Hit[] = [];
let status = 200;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({
        path: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      });
      res.statusCode = status;
      res.end(status === 200 ? 'ok' : 'upstream unavailable');
    });
  });
  const port = await new Promise<number>((r) =>
    server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port)),
  );
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  hits = [];
  status = 200;
});

const webhooks = (): WebhookConfig[] => [
  { url: `${base}/services/T000/B000/slack-secret`, format: 'slack', headers: {} },
  { url: `${base}/api/webhooks/42/discord-secret`, format: 'discord', headers: {} },
  { url: `${base}/vigil-alerts`, format: 'ntfy', headers: { Authorization: 'Bearer tk_ntfy_token' } },
];
const byPath = (prefix: string) => hits.filter((h) => h.path.startsWith(prefix));

function setup() {
  const clock = testClock();
  const stack = notificationStack(tempDbPath(), notificationsConfig({ webhooks: webhooks() }), clock);
  return { clock, ...stack };
}

describe('webhook notifications', () => {
  it('posts an escalation in the Slack, Discord and ntfy formats', async () => {
    const { notifier, worker } = setup();
    await notifier.enqueue(
      note('escalation', 'vm 101', { body: 'start_guest failed 3 times', snapshot: 'load average: 9.1' }),
    );
    expect(await worker.runOnce()).toMatchObject({ sent: 3, delivered: 3 });
    for (const h of hits) expect(h.headers['content-type']).toBe('application/json');

    expect(byPath('/services/')[0]!.body).toEqual({
      text: '*[vigil] ESCALATION: escalation vm 101*\nstart_guest failed 3 times\n\nDiagnostic snapshot\n-------------------\nload average: 9.1',
    });
    expect(byPath('/api/webhooks/')[0]!.body).toEqual({
      username: 'vigil',
      embeds: [
        {
          title: '[vigil] ESCALATION: escalation vm 101',
          description: 'start_guest failed 3 times\n\nDiagnostic snapshot\n-------------------\nload average: 9.1',
          color: 0xd92d20,
        },
      ],
    });
    // ntfy's JSON API: POST to the server root with the topic in the body.
    const ntfy = hits.find((h) => h.path === '/')!;
    expect(ntfy.headers.authorization).toBe('Bearer tk_ntfy_token');
    expect(ntfy.body).toMatchObject({
      topic: 'vigil-alerts',
      title: '[vigil] ESCALATION: escalation vm 101',
      priority: 5,
      tags: ['rotating_light'],
    });
    expect(ntfy.body.message).toContain('load average: 9.1');
  });

  it('folds reports into one digest per webhook and cuts long texts to each format limit', async () => {
    const { notifier, worker } = setup();
    await notifier.enqueue(note('report', 'vm 1'));
    await notifier.enqueue(note('report', 'vm 2', { body: 'x'.repeat(20_000) }));
    await worker.runOnce();
    expect(hits).toHaveLength(3);
    const slack = byPath('/services/')[0]!.body.text as string;
    expect(slack.startsWith('*[vigil] 2 remediation reports*\n')).toBe(true);
    expect(slack.length).toBeLessThanOrEqual(3900);
    expect(slack).toContain('(truncated');
    const embed = (byPath('/api/webhooks/')[0]!.body.embeds as { description: string; color: number }[])[0]!;
    expect(embed.description.length).toBeLessThanOrEqual(4096);
    expect(embed.color).toBe(0x3b82f6);
    const ntfy = hits.find((h) => h.path === '/')!.body;
    expect(ntfy).toMatchObject({ title: '[vigil] 2 remediation reports', priority: 3, tags: ['wrench'] });
    expect((ntfy.message as string).length).toBeLessThanOrEqual(4096);
  });

  it('retries a failing endpoint with backoff and reports it without the secret URL', async () => {
    const { notifier, worker, clock, events, outbox } = setup();
    status = 503;
    await notifier.enqueue(note('recovery', 'vm 7'));
    expect(await worker.runOnce()).toMatchObject({ sent: 0, failed: 3 });
    const failed = events.latest(10).filter((e) => e.type === 'notification.failed');
    expect(failed.map((e) => e.message.split(';')[0]).sort()).toEqual([
      `discord webhook at ${base.slice(7)} answered 503: upstream unavailable`,
      `ntfy webhook at ${base.slice(7)} answered 503: upstream unavailable`,
      `slack webhook at ${base.slice(7)} answered 503: upstream unavailable`,
    ]);
    expect(JSON.stringify(failed)).not.toMatch(/slack-secret|discord-secret|tk_ntfy_token/);

    status = 200;
    hits = [];
    clock.advance(29 * SEC);
    expect(await worker.runOnce()).toMatchObject({ sent: 0, failed: 0 });
    clock.advance(1 * SEC);
    expect(await worker.runOnce()).toMatchObject({ sent: 3, delivered: 3 });
    clock.advance(3600 * SEC);
    await worker.runOnce();
    expect(hits).toHaveLength(3);
    expect(await outbox.counts()).toEqual({ pending: 0, delivered: 3, failed: 0 });
  });

  it('reports an unreachable endpoint as a failure naming the destination only', async () => {
    const clock = testClock();
    // A port that was just free: nothing listens there.
    const probe = createServer();
    const port = await new Promise<number>((r) =>
      probe.listen(0, '127.0.0.1', () => r((probe.address() as { port: number }).port)),
    );
    await new Promise<void>((r) => probe.close(() => r()));
    const dead = [{ url: `http://127.0.0.1:${port}/hook/secret-path`, format: 'slack' as const, headers: {} }];
    const { notifier, worker, events } = notificationStack(
      tempDbPath(),
      notificationsConfig({ webhooks: dead }),
      clock,
    );
    await notifier.enqueue(note('escalation', 'vm 9'));
    expect(await worker.runOnce()).toMatchObject({ failed: 1 });
    const [event] = events.latest(1);
    expect(event!.message).toMatch(
      /^slack webhook at 127\.0\.0\.1:\d+: fetch failed \(ECONNREFUSED\); next attempt at /,
    );
    expect(JSON.stringify(event)).not.toContain('secret-path');
  });
});
