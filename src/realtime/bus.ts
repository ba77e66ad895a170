/**
 * The event bus: events are stored first, then delivered to in-process subscribers.
 * Events written by another process sharing the database (`vigil mcp`) are picked up by `poll()`,
 * which the daemon runs on a short timer.
 */
import type { Logger } from 'pino';
import type { EventStore } from '../db/events.js';
import { newEventSchema, type NewEvent, type VigilEvent } from '../contracts/events.js';

export type EventListener = (event: VigilEvent) => void;

/** Creates a bus over the event store. */
export function createEventBus(deps: {
  store: EventStore;
  now: () => number;
  onListenerError?: (err: unknown) => void;
  /** Scrubs secrets from every event before it is stored or sent (tool errors and args end up in events). */
  redact?: (value: unknown) => unknown;
}) {
  const listeners = new Set<EventListener>();
  let delivered = deps.store.lastId();

  const deliver = (event: VigilEvent): void => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (err) {
        // One broken subscriber must not stop the others or the publisher.
        deps.onListenerError?.(err);
      }
    }
  };

  /** Delivers every stored event newer than the last one delivered, in id order. */
  const poll = (): void => {
    for (;;) {
      const batch = deps.store.since(delivered, 500);
      for (const event of batch) {
        delivered = event.id;
        deliver(event);
      }
      if (batch.length < 500) return;
    }
  };

  // Every event is scrubbed of secrets, then checked against the closed vocabulary, before it is stored.
  const prepare = (event: NewEvent): NewEvent => newEventSchema.parse(deps.redact ? deps.redact(event) : event);

  return {
    /** Validates, stores and delivers one event. */
    publish(event: NewEvent): VigilEvent {
      const stored = deps.store.append(prepare(event), deps.now());
      // Catch up first so subscribers always see ids in increasing order, foreign ones included.
      poll();
      return stored;
    },
    /**
     * Runs a state change and stores the event describing it in one transaction, then delivers
     * the event: readers never see an incident row without its event or the reverse. `write`
     * returns undefined or false when nothing changed (no event then), and must write through a
     * store of the same database (see `EventStore.appendWith`).
     */
    publishWith<T>(
      write: () => T | undefined | false,
      eventOf: (value: T) => NewEvent,
    ): { value: T; event: VigilEvent } | undefined {
      const done = deps.store.appendWith(write, (value) => prepare(eventOf(value)), deps.now());
      if (done) poll();
      return done;
    },
    subscribe(listener: EventListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    poll,
  };
}

export type EventBus = ReturnType<typeof createEventBus>;

/** Polls the bus for events other processes stored; a failure is logged, never thrown. */
export function pollBus(bus: Pick<EventBus, 'poll'>, logger: Pick<Logger, 'error'>): void {
  try {
    bus.poll();
  } catch (err) {
    logger.error({ err: err instanceof Error ? err.message : String(err) }, 'polling the event store failed');
  }
}
