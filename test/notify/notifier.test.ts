// Pins that the notifier queues an oversized escalation (long HTTP error in the summary, big diagnostic) shortened instead of losing it, and that a stopped worker sends nothing more.
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { createOutboxStore } from '../../src/db/outbox.js';
import { promisify } from '../../src/db/sqlite-ports.js';
import { pino } from 'pino';
import { createNotifier } from '../../src/notify/notifier.js';
import { createRedactor } from '../../src/safety/redact.js';
import type { Sender } from '../../src/notify/senders.js';
import { createDeliveryWorker } from '../../src/notify/worker.js';
import { openTracked, tempDbPath } from '../db/helpers.js';
import { T0 } from './helpers.js';

let db: Db | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
});

describe('notifier', () => {
  it('scrubs known secrets from what it queues', async () => {
    db = openTracked(tempDbPath());
    const outbox = promisify(createOutboxStore(db));
    const secret = 'sekret-token-0123456789';
    const notifier = createNotifier({ outbox, channels: ['email'], now: () => T0, redact: createRedactor([secret]) });
    const [id] = await notifier.enqueue({
      kind: 'escalation',
      incidentKey: 'service.failed:pve1/x',
      subject: `failed with ${secret}`,
      body: `output: ${secret}`,
      snapshot: { log: secret },
    });
    expect(JSON.stringify((await outbox.get(id!))!.payload)).not.toContain(secret);
  });

  it('queues an oversized escalation, shortened, rather than throwing it away', async () => {
    db = openTracked(tempDbPath());
    const outbox = promisify(createOutboxStore(db));
    const notifier = createNotifier({ outbox, channels: ['email'], now: () => T0 });
    const summary = `HTTP check api failed 3 times in a row: status 503, expected 200; body does not contain ${JSON.stringify('"status":"ok"'.repeat(30))}`;
    const ids = await notifier.enqueue({
      kind: 'escalation',
      incidentKey: 'http.down:api',
      subject: `[vigil] ESCALATION: ${summary}`,
      body: summary,
      snapshot: 'x'.repeat(250_000),
    });
    expect(ids).toHaveLength(1);
    const row = (await outbox.get(ids[0]!))!;
    expect(row.payload.subject.length).toBeLessThanOrEqual(300);
    expect(row.payload.subject.startsWith('HTTP check api failed 3 times')).toBe(true);
    expect(row.payload.body).toBe(summary);
    expect(String(row.payload.snapshot).length).toBeLessThanOrEqual(200_000);
  });
});

describe('delivery worker stop', () => {
  it('a wake requested just before stop sends nothing once stop has returned', async () => {
    const file = tempDbPath();
    db = openTracked(file);
    const outbox = promisify(createOutboxStore(db));
    const sent: number[][] = [];
    const sender: Sender = { channel: 'email', label: 'test mail', send: async (m) => void sent.push(m.ids) };
    const worker = createDeliveryWorker({
      outbox,
      senders: [sender],
      now: () => T0,
      logger: pino({ level: 'silent' }),
      options: {
        digestMs: 0,
        leaseMs: 60_000,
        pollMs: 60_000,
        retry: { initialMs: 1000, maxMs: 1000, giveUpMs: 3_600_000 },
      },
    });
    worker.start();
    await worker.runOnce();
    const notifier = createNotifier({ outbox, channels: ['email'], now: () => T0, wake: worker.wake });
    const [id] = await notifier.enqueue({
      kind: 'escalation',
      incidentKey: 'guest.crashed:100',
      subject: 'VM 100 crashed',
      body: 'b',
    });
    await worker.stop();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toEqual([]);
    expect((await outbox.get(id!))?.status).toBe('pending');
  });
});
