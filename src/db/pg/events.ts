/**
 * The events table on PostgreSQL, shared by every daemon: `/events` replays it with `since`.
 * Ids must be in commit order for that replay (a client that saw id n must never later find a
 * smaller id committed after it), which a sequence does not give: two transactions take ids 5
 * and 6 and 6 commits first. So every insert takes the table's SHARE ROW EXCLUSIVE lock (it
 * conflicts with itself and with other writers, never with readers) and uses the last id + 1;
 * the lock is held to the commit, so the ids commit in order.
 */
import type { NewEvent, VigilEvent } from '../../contracts/events.js';
import type { EventPort, TransactionalMonitor } from '../ports.js';
import { inTransaction, one, rows, type Pool, type Queryable } from './pool.js';
import { eventOf, type Row } from './rows.js';
import { createPgIncidents } from './incidents.js';

/** Stores one event inside the caller's transaction; returns it with its id and time. */
async function insertEvent(c: Queryable, event: NewEvent, at: number): Promise<VigilEvent> {
  await c.query('LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE');
  const next = (await one<{ id: number }>(c, 'SELECT coalesce(max(id), 0) + 1 AS id FROM events'))!.id;
  await c.query(
    `INSERT INTO events (id, type, severity, title, message, node, target, incident_key, data, at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      next,
      event.type,
      event.severity,
      event.title,
      event.message,
      event.node ?? null,
      event.target ?? null,
      event.incidentKey ?? null,
      event.data === undefined ? null : JSON.stringify(event.data),
      at,
    ],
  );
  return { ...event, id: next, at };
}

/** Creates the event port over a pool (schema migrated). */
export function createPgEvents(pool: Pool): EventPort {
  return {
    append: (event: NewEvent, at: number) => inTransaction(pool, (c) => insertEvent(c, event, at)),
    appendWith: <T>(
      write: (monitor: TransactionalMonitor) => Promise<T | undefined | false>,
      eventOf: (value: T) => NewEvent,
      at: number,
    ) =>
      inTransaction(pool, async (c) => {
        const value = await write(createPgIncidents(c));
        if (value === undefined || value === false) return undefined;
        return { value, event: await insertEvent(c, eventOf(value), at) };
      }),
    async since(afterId: number, limit = 1000) {
      const found = await rows<Row>(pool, 'SELECT * FROM events WHERE id > $1 ORDER BY id LIMIT $2', [
        afterId,
        Math.min(Math.max(limit, 1), 10_000),
      ]);
      return found.map(eventOf);
    },
    async latest(limit = 50) {
      const found = await rows<Row>(pool, 'SELECT * FROM events ORDER BY id DESC LIMIT $1', [
        Math.min(Math.max(limit, 1), 1000),
      ]);
      return found.map(eventOf).reverse();
    },
    lastId: async () => (await one<{ id: number | null }>(pool, 'SELECT max(id) AS id FROM events'))?.id ?? 0,
  };
}
