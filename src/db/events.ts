/** The events table: every event is stored before it is broadcast, so a reconnecting client can catch up. */
import { boundLimit, type Db } from './database.js';
import type { NewEvent, VigilEvent } from '../contracts/events.js';
import { eventOf, type Row } from './rows.js';

/** Creates the event store over an open database. */
export function createEventStore(db: Db) {
  const insert = db.prepare(
    `INSERT INTO events (type, severity, title, message, node, target, incident_key, data, at)
     VALUES (@type, @severity, @title, @message, @node, @target, @incident_key, @data, @at)`,
  );
  const since = db.prepare<[number, number], Row>(`SELECT * FROM events WHERE id > ? ORDER BY id ${boundLimit()}`);
  const latest = db.prepare<[number], Row>(`SELECT * FROM events ORDER BY id DESC ${boundLimit()}`);
  const maxId = db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM events');

  /** Stores the event and returns it with its id and time. */
  function append(event: NewEvent, at: number): VigilEvent {
    const id = Number(
      insert.run({
        type: event.type,
        severity: event.severity,
        title: event.title,
        message: event.message,
        node: event.node ?? null,
        target: event.target ?? null,
        incident_key: event.incidentKey ?? null,
        data: event.data === undefined ? null : JSON.stringify(event.data),
        at,
      }).lastInsertRowid,
    );
    return { ...event, id, at };
  }

  return {
    append,
    /**
     * Runs `write` and, when it returns a value (not undefined or false), stores the event made
     * from that value — both in one IMMEDIATE transaction, so no reader sees the row without its
     * event or the event without its row, and a failing event insert rolls the row back.
     * `write` must use this store's database, as every store from `createStores` does.
     */
    appendWith<T>(
      write: () => T | undefined | false,
      eventOf: (value: T) => NewEvent,
      at: number,
    ): { value: T; event: VigilEvent } | undefined {
      return db
        .transaction(() => {
          const value = write();
          if (value === undefined || value === false) return undefined;
          return { value, event: append(eventOf(value), at) };
        })
        .immediate();
    },
    /** Events with id greater than `afterId`, oldest first. */
    since(afterId: number, limit = 1000): VigilEvent[] {
      return since.all(afterId, Math.min(Math.max(limit, 1), 10_000)).map(eventOf);
    },
    /** The newest `limit` events, oldest first. */
    latest(limit = 50): VigilEvent[] {
      return latest
        .all(Math.min(Math.max(limit, 1), 1000))
        .map(eventOf)
        .reverse();
    },
    lastId(): number {
      return maxId.get()?.id ?? 0;
    },
  };
}

export type EventStore = ReturnType<typeof createEventStore>;
