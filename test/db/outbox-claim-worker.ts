/**
 * A separate process draining a shared outbox, for the claim race test:
 * `node --import tsx test/db/outbox-claim-worker.ts <file> <owner>`. Prints the ids it delivered as one JSON line.
 */
import { openDatabase } from '../../src/db/database.js';
import { createOutboxStore } from '../../src/db/outbox.js';

const [file, owner] = process.argv.slice(2);
if (!file || !owner) throw new Error('usage: outbox-claim-worker <file> <owner>');
const db = openDatabase(file);
const outbox = createOutboxStore(db);
const delivered: number[] = [];
for (;;) {
  const rows = outbox.claim({ owner, now: Date.now(), leaseMs: 600_000, digestMs: 0, limit: 3, channels: ['email'] });
  if (rows.length === 0 && outbox.counts().pending === 0) break;
  for (const row of rows) {
    // "Sending" is recording the id; marking must succeed because the lease is still ours.
    if (outbox.markDelivered([row.id], owner, Date.now()) !== 1) throw new Error(`lost the lease on ${row.id}`);
    delivered.push(row.id);
  }
}
db.close();
process.stdout.write(`${JSON.stringify(delivered)}\n`);
