/**
 * A daemon's leadership in a separate process, for the failover test:
 * `node --import tsx test/db/pg/leader-worker.ts <url> <daemonId> <intervalMs>`. Prints each role change
 * as one JSON line ({"leading":true,"epoch":1,...}) and runs until killed.
 */
import { createLeadership } from '../../../src/db/pg/leader.js';

const [url, daemonId, intervalText] = process.argv.slice(2);
if (!url || !daemonId || !intervalText) throw new Error('usage: leader-worker <url> <daemonId> <intervalMs>');
const leadership = createLeadership({
  url,
  daemonId,
  host: 'worker',
  pid: process.pid,
  intervalMs: Number(intervalText),
  now: Date.now,
  onChange: (state) => process.stdout.write(`${JSON.stringify(state)}\n`),
});
leadership.start();
