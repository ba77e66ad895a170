/**
 * The event bus: events are stored first, then delivered to in-process subscribers.
 * Events written by another process sharing the database (`vigil mcp`) are picked up by `poll()`,
 * which the daemon runs on a short timer.
 */
import type { EventStore } from '../db/events.js';
import { newEventSchema, type NewEvent, type VigilEvent } from './vocabulary.js';

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

  return {
    /** Validates, stores and delivers one event. */
    publish(event: NewEvent): VigilEvent {
      const stored = deps.store.append(newEventSchema.parse(deps.redact ? deps.redact(event) : event), deps.now());
      // Catch up first so subscribers always see ids in increasing order, foreign ones included.
      poll();
      return stored;
    },
    subscribe(listener: EventListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    poll,
  };
}

export type EventBus = ReturnType<typeof createEventBus>;
