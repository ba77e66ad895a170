// Pins that the notifier queues an escalation whose subject or snapshot is oversized (a long HTTP error in the summary, a big diagnostic) by shortening them, instead of rejecting and losing it.
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { createOutboxStore } from '../../src/db/outbox.js';
import { createNotifier } from '../../src/notify/notifier.js';
import { openTracked, tempDbPath } from '../db/helpers.js';
import { T0 } from './helpers.js';

let db: Db | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
});

describe('notifier', () => {
  it('queues an oversized escalation, shortened, rather than throwing it away', () => {
    db = openTracked(tempDbPath());
    const outbox = createOutboxStore(db);
    const notifier = createNotifier({ outbox, channels: ['email'], now: () => T0 });
    const summary = `HTTP check api failed 3 times in a row: status 503, expected 200; body does not contain ${JSON.stringify('"status":"ok"'.repeat(30))}`;
    const ids = notifier.enqueue({ kind: 'escalation', incidentKey: 'http.down:api', subject: `[vigil] ESCALATION: ${summary}`, body: summary, snapshot: 'x'.repeat(250_000) });
    expect(ids).toHaveLength(1);
    const row = outbox.get(ids[0]!)!;
    expect(row.payload.subject.length).toBeLessThanOrEqual(300);
    expect(row.payload.subject.startsWith('HTTP check api failed 3 times')).toBe(true);
    expect(row.payload.body).toBe(summary);
    expect(String(row.payload.snapshot).length).toBeLessThanOrEqual(200_000);
  });
});
