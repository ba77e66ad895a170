/**
 * A separate process appending audit rows to a shared database file, for the multi-process chain
 * test: `node --import tsx test/db/append-worker.ts <file> <count> <tag>`. Prints nothing on stdout.
 */
import { openDatabase } from '../../src/db/database.js';
import { createAuditStore } from '../../src/db/audit.js';

const [file, countText, tag] = process.argv.slice(2);
if (!file || !countText || !tag) throw new Error('usage: append-worker <file> <count> <tag>');
const db = openDatabase(file);
const audit = createAuditStore(db);
for (let i = 0; i < Number(countText); i += 1) {
  audit.append({
    at: Date.now(),
    callerKind: 'assistant',
    callerId: tag,
    sessionId: `${tag}-${i}`,
    tool: 'list_nodes',
    tier: 'green',
    args: { i },
    target: null,
    decision: 'allowed',
    outcome: 'ok',
    durationMs: 0.5,
    error: null,
    approvalId: null,
  });
}
db.close();
