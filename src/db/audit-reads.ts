/**
 * Read-only queries over the audit log for its other readers: /metrics tails it by id to count
 * tool calls from every process, and the monitor reads which guests were stopped on purpose.
 * Appending and the hash chain stay in audit.ts; `createStores` merges both into `stores.audit`.
 */
import { boundLimit, type Db } from './database.js';
import { jsonObject } from './rows.js';

/** One executeTool call as /metrics counts it. */
export interface ToolCallRow {
  id: number;
  tool: string;
  tier: string | null;
  decision: string;
  durationMs: number;
}

/** Creates the audit-log readers over an open database. */
export function createAuditReads(db: Db) {
  const lastId = db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM audit');
  const after = db.prepare<
    [number, number],
    { id: number; tool: string; tier: string | null; decision: string; duration_ms: number }
  >(`SELECT id, tool, tier, decision, duration_ms FROM audit WHERE id > ? ORDER BY id ${boundLimit()}`);
  // Guest stops any caller made through vigil: the audit log is where intent is written down.
  // ORDER BY at lets SQLite use the partial index audit_guest_stops instead of scanning the log.
  const stops = db.prepare<[number], { at: number; args: string }>(
    `SELECT at, args FROM audit WHERE tool IN ('stop_guest', 'shutdown_guest') AND decision = 'allowed' AND at >= ? ORDER BY at, id`,
  );

  return {
    /** The newest audit row's id, 0 when the log is empty. */
    lastId: (): number => lastId.get()?.id ?? 0,
    /** Up to `limit` calls with an id above `afterId`, oldest first. */
    toolCallsAfter: (afterId: number, limit: number): ToolCallRow[] =>
      after.all(afterId, limit).map((r) => ({
        id: r.id,
        tool: r.tool,
        tier: r.tier,
        decision: r.decision,
        durationMs: r.duration_ms,
      })),
    /** Guests stopped or shut down through vigil (by any caller) since `since`: vmid → time of the call. */
    stopCallsSince(since: number): Map<number, number> {
      const out = new Map<number, number>();
      for (const r of stops.all(since)) {
        const vmid = Number(jsonObject(r.args).vmid);
        if (Number.isInteger(vmid)) out.set(vmid, r.at);
      }
      return out;
    },
  };
}

export type AuditReads = ReturnType<typeof createAuditReads>;
