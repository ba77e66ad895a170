/**
 * The event bus: events are stored first, then delivered to in-process subscribers in id order.
 * Events written by another process sharing the database (`vigil mcp`, or the other daemon on a
 * shared PostgreSQL) are picked up by `poll()`, which the daemon runs on a short timer; the ids
 * are in commit order on both engines, so a poll never finds a smaller id after a larger one.
 *
 * The store is asynchronous (db/ports.ts). Polls are serialized: a poll asked for while one runs
 * starts after it (and callers asking meanwhile share that one), so a poll that resolves has read
 * everything committed before it was asked for, and subscribers never see an id twice or out of order.
 */
import type { Logger } from 'pino';
import type { EventPort, TransactionalMonitor } from '../db/ports.js';
import { newEventSchema, type NewEvent, type VigilEvent } from '../contracts/events.js';
import { serialized } from '../util/serialized.js';

export type EventListener = (event: VigilEvent) => void;

/** How many events one poll reads per query. */
const POLL_BATCH = 500;

/** Creates a bus over the event store. */
export function createEventBus(deps: {
  store: Pick<EventPort, 'append' | 'appendWith' | 'since' | 'lastId'>;
  now: () => number;
  onListenerError?: (err: unknown) => void;
  /** A poll after a publish failed (the event is stored; the next timer poll delivers it). Default: onListenerError. */
  onPollError?: (err: unknown) => void;
  /** Scrubs secrets from every event before it is stored or sent (tool errors and args end up in events). */
  redact?: (value: unknown) => unknown;
}) {
  const listeners = new Set<EventListener>();
  let delivered = 0;
  // Events stored before the bus existed are history, not news: delivery starts after the last one.
  // Until the store has answered that (it may be unreachable at start), a poll asks it again.
  let known = false;

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

  const drain = async (): Promise<void> => {
    if (!known) {
      delivered = await deps.store.lastId();
      known = true;
      return;
    }
    for (;;) {
      const batch = await deps.store.since(delivered, POLL_BATCH);
      for (const event of batch) {
        if (event.id <= delivered) continue;
        delivered = event.id;
        deliver(event);
      }
      if (batch.length < POLL_BATCH) return;
    }
  };

  /** Delivers every stored event newer than the last one delivered, in id order. */
  const polls = serialized(drain);
  const poll = (): Promise<void> => polls.run();

  const pollAfterWrite = (): Promise<void> =>
    poll().catch((err: unknown) => (deps.onPollError ?? deps.onListenerError)?.(err));
  const started = pollAfterWrite();

  // Every event is scrubbed of secrets, then checked against the closed vocabulary, before it is stored.
  const prepare = (event: NewEvent): NewEvent => newEventSchema.parse(deps.redact ? deps.redact(event) : event);

  return {
    /** Validates, stores and delivers one event (delivery of everything up to it, foreign ones included). */
    async publish(event: NewEvent): Promise<VigilEvent> {
      const valid = prepare(event);
      await started;
      const stored = await deps.store.append(valid, deps.now());
      await pollAfterWrite();
      return stored;
    },
    /**
     * Runs a state change and stores the event describing it in one transaction, then delivers
     * the event: readers never see an incident row without its event or the reverse. `write`
     * returns undefined or false when nothing changed (no event then) and writes through the
     * transaction's monitor store it is handed (see `EventPort.appendWith`).
     */
    async publishWith<T>(
      write: (monitor: TransactionalMonitor) => Promise<T | undefined | false>,
      eventOf: (value: T) => NewEvent,
    ): Promise<{ value: T; event: VigilEvent } | undefined> {
      await started;
      const done = await deps.store.appendWith(write, (value) => prepare(eventOf(value)), deps.now());
      if (done) await pollAfterWrite();
      return done;
    },
    subscribe(listener: EventListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    poll,
    /** The id of the last event delivered to subscribers (0 until the bus has read the store). */
    delivered: (): number => delivered,
    /** Resolves once the bus has first asked the store where the stored history ends. */
    ready: (): Promise<void> => started,
  };
}

export type EventBus = ReturnType<typeof createEventBus>;

/** Polls the bus for events other processes stored; a failure is logged, never thrown. */
export async function pollBus(bus: Pick<EventBus, 'poll'>, logger: Pick<Logger, 'error'>): Promise<void> {
  try {
    await bus.poll();
  } catch (err) {
    logger.error({ err: err instanceof Error ? err.message : String(err) }, 'polling the event store failed');
  }
}

/**
 * The timer's poll: a store that stays unreachable (a PostgreSQL outage) fails every tick, so only
 * the first failure of a run is logged, and the recovery.
 */
export function createBusPoller(
  bus: Pick<EventBus, 'poll'>,
  logger: Pick<Logger, 'error' | 'info'>,
): () => Promise<void> {
  let failing = false;
  return async () => {
    try {
      await bus.poll();
      if (failing) logger.info('polling the event store works again');
      failing = false;
    } catch (err) {
      if (!failing) {
        logger.error(
          { err: err instanceof Error ? err.message : String(err) },
          'polling the event store failed; retrying every interval, logged again once it recovers',
        );
      }
      failing = true;
    }
  };
}
