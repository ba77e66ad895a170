/**
 * The wire protocol of the `/events` Socket.IO namespace, as zod schemas shared by the server and
 * its clients (tests, the dashboard's checks, chat UIs). Every payload that crosses the socket has one.
 */
import { z } from 'zod';
import { eventSchema } from './vocabulary.js';

/** The namespace the event stream lives on. */
export const EVENTS_NAMESPACE = '/events';

/** Message names, server → client and client → server. */
export const SOCKET_MESSAGES = {
  /** One event envelope (`VigilEvent`), always in increasing id order. */
  event: 'event',
  /** Sent once the replay a client asked for is done: everything after `lastId` arrives live. */
  ready: 'ready',
  /** Client → server: replay what came after `since`, then continue live (answers with an ack). */
  since: 'since',
} as const;

/** The handshake `auth` a client sends: its token and, when resuming, the last id it saw. */
export const handshakeAuthSchema = z.object({
  token: z.string().min(1).max(512),
  since: z.number().int().min(0).optional(),
});
export type HandshakeAuth = z.infer<typeof handshakeAuthSchema>;

/** The payload of a `since` message. */
export const sinceMessageSchema = z.object({ since: z.number().int().min(0) });
export type SinceMessage = z.infer<typeof sinceMessageSchema>;

/**
 * The `ready` payload (also the ack of `since`): how many events were replayed and the id after
 * which live delivery continues. `truncated` means the backlog was longer than one replay may be;
 * the client should page through `GET /api/events?since=` for the rest.
 */
export const readySchema = z.object({
  replayed: z.number().int().min(0),
  lastId: z.number().int().min(0),
  truncated: z.boolean(),
  recovered: z.boolean(),
});
export type Ready = z.infer<typeof readySchema>;

/** The event payload; re-exported so clients need only this module. */
export const socketEventSchema = eventSchema;

/** The reasons a handshake is refused (the `message` of the client's `connect_error`). */
export const SOCKET_REFUSALS = {
  badAuth: 'unauthorized: send {token} (assistant or operator token) in the handshake auth',
  badSince: 'invalid handshake: since must be a non-negative integer event id',
} as const;
