/** Test helper: a socket.io-client on the /events namespace that validates and records what it gets. */
import { io, type Socket } from 'socket.io-client';
import { readySchema, socketEventSchema, type Ready } from '../../src/realtime/socket-protocol.js';
import type { VigilEvent } from '../../src/contracts/events.js';

export interface StreamClient {
  socket: Socket;
  events: VigilEvent[];
  readies: Ready[];
  /** Resolves once `ready` arrived (or rejects with the connect_error message). */
  ready: Promise<Ready>;
  /** Resolves when an event matching `pred` has arrived. */
  waitFor(pred: (e: VigilEvent) => boolean, timeoutMs?: number): Promise<VigilEvent>;
  ids(): number[];
  close(): void;
}

/** Connects to `${url}/events` with the given handshake auth; every payload is checked against the shared schemas. */
export function streamClient(
  url: string,
  auth: Record<string, unknown> | ((cb: (a: object) => void) => void),
  opts: { reconnection?: boolean } = {},
): StreamClient {
  const socket = io(`${url}/events`, {
    auth,
    transports: ['websocket'],
    reconnection: opts.reconnection ?? false,
    forceNew: true,
  });
  const events: VigilEvent[] = [];
  const readies: Ready[] = [];
  const waiters = new Set<() => void>();
  socket.on('event', (payload: unknown) => {
    events.push(socketEventSchema.parse(payload));
    for (const w of waiters) w();
  });
  const ready = new Promise<Ready>((resolve, reject) => {
    socket.on('ready', (payload: unknown) => {
      const r = readySchema.parse(payload);
      readies.push(r);
      resolve(r);
    });
    socket.on('connect_error', (err) => reject(err));
  });
  ready.catch(() => undefined);
  return {
    socket,
    events,
    readies,
    ready,
    waitFor(pred, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(pred);
          if (hit) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hit);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event after ${timeoutMs} ms; got ids ${events.map((e) => e.id).join(',')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    ids: () => events.map((e) => e.id),
    close: () => socket.close(),
  };
}
