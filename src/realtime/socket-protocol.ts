/**
 * The wire protocol of the `/events` Socket.IO namespace, as zod schemas shared by the server and
 * its clients (tests, the dashboard's checks, chat UIs). Every payload that crosses the socket has one.
 */
import { z } from 'zod';
import { eventSchema } from '../contracts/events.js';

/** Where Socket.IO answers on the daemon's HTTP server: its handshake, polling, WebSocket and client script. */
export const SOCKET_IO_PATH = '/socket.io';

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
  /**
   * The monitor's latest view of the homelab (`HomelabSnapshot`), sent on connect and after each
   * critical or routine cycle. Not an event: it is state, not something that happened, so it is
   * neither stored nor replayed (the closed event vocabulary stays closed), and a client that
   * missed one loses nothing — the next replaces it, and `GET /api/homelab` returns the same.
   */
  homelab: 'homelab',
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

const percent = z.number().min(0).max(100).optional();

/**
 * The `homelab` payload: what the monitor last observed, without a poll of its own. `criticalAt`
 * and `routineAt` say when each part was read (null: not yet); `cluster` is null when the
 * Proxmox API could not be read. Why an item is unhealthy is derived from these fields and the
 * thresholds; the incident it belongs to is `condition:target` (see `incidentKey`).
 */
export const homelabSnapshotSchema = z.object({
  criticalAt: z.number().int().nullable(),
  routineAt: z.number().int().nullable(),
  thresholds: z.object({ diskPercent: z.number(), memoryPercent: z.number() }),
  clusterReadable: z.boolean(),
  nodes: z.array(
    z.object({
      name: z.string(),
      online: z.boolean(),
      /** SSH reachability, when the monitor probed it (offline nodes, SSH-only setups). */
      sshReachable: z.boolean().optional(),
      cpuPercent: percent,
      memoryPercent: percent,
      diskPercent: percent,
      /** unit → systemd ActiveState; absent when the services could not be read. */
      services: z.record(z.string(), z.string()).optional(),
    }),
  ),
  guests: z.array(
    z.object({
      vmid: z.number().int(),
      node: z.string(),
      type: z.enum(['qemu', 'lxc']),
      name: z.string().optional(),
      status: z.string(),
      ha: z.boolean(),
      template: z.boolean(),
      lock: z.string().optional(),
      tags: z.array(z.string()),
    }),
  ),
  storage: z.array(
    z.object({
      node: z.string(),
      storage: z.string(),
      status: z.string(),
      plugintype: z.string().optional(),
      shared: z.boolean(),
      usedPercent: percent,
    }),
  ),
  http: z.array(
    z.object({
      name: z.string(),
      ok: z.boolean(),
      error: z.string().optional(),
      node: z.string().optional(),
      service: z.string().optional(),
    }),
  ),
});
export type HomelabSnapshot = z.infer<typeof homelabSnapshotSchema>;

/** The event payload; re-exported so clients need only this module. */
export const socketEventSchema = eventSchema;

/** The reasons a handshake is refused (the `message` of the client's `connect_error`). */
export const SOCKET_REFUSALS = {
  badAuth: 'unauthorized: send {token} (assistant or operator token) in the handshake auth',
  badSince: 'invalid handshake: since must be a non-negative integer event id',
} as const;

/** What a client switches on when refused (the `data.code` of its `connect_error`), never the text. */
export const SOCKET_REFUSAL_CODES = { badAuth: 'unauthorized', badSince: 'invalid_handshake' } as const;

/** The error a refused handshake is answered with: the message for people, `data.code` for programs. */
export function socketRefusal(reason: keyof typeof SOCKET_REFUSALS): Error & { data: { code: string } } {
  return Object.assign(new Error(SOCKET_REFUSALS[reason]), { data: { code: SOCKET_REFUSAL_CODES[reason] } });
}
