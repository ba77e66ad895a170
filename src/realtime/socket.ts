/**
 * The live event stream: Socket.IO namespace `/events` on the daemon's HTTP server.
 *
 * Delivery is gap-free and duplicate-free per client because everything from "catch up" to
 * "join the live room" runs synchronously (better-sqlite3 is synchronous), so no live broadcast
 * can slip in between: the handler first polls the bus (delivering foreign rows to everyone already
 * live), replays the client's backlog from the database up to the last broadcast id, and only then
 * joins the room that live broadcasts go to. Broadcasting to a room also encodes each event once,
 * whatever the number of clients.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Server, type Namespace, type Socket } from 'socket.io';
import type { Logger } from 'pino';
import { pollBus, type EventBus } from './bus.js';
import type { EventPort } from '../db/ports.js';
import type { VigilEvent } from '../contracts/events.js';
import {
  EVENTS_NAMESPACE,
  SOCKET_MESSAGES,
  SOCKET_IO_PATH,
  socketRefusal,
  handshakeAuthSchema,
  sinceMessageSchema,
  homelabSnapshotSchema,
  type HomelabSnapshot,
  type Ready,
} from './socket-protocol.js';

/** Most events one replay sends; older ones are left to `GET /api/events` (the client is told). */
export const REPLAY_MAX = 5000;
/** The window of the per-connection `since` replay budget. */
export const REPLAY_WINDOW_MS = 60_000;
const LIVE_ROOM = 'live';

export interface EventStreamDeps {
  bus: EventBus;
  events: EventPort;
  /** Which role a handshake token belongs to (assistant or operator); undefined refuses it. */
  authenticate(token: string): Role | undefined;
  /** Whether a browser Origin may open the stream (absent for non-browser clients). */
  allowOrigin?(origin: string | undefined): boolean;
  logger: Logger;
  /** How long a dropped client may come back and get the packets it missed from memory. Default 2 min. */
  recoveryMs?: number;
  /** The monitor's latest homelab snapshot and its updates, sent as `homelab` messages (not events). */
  homelab?: {
    latest(): HomelabSnapshot;
    subscribe(listener: (snapshot: HomelabSnapshot) => void): () => void;
  };
}

export interface EventStream {
  io: Server;
  namespace: Namespace;
  /** Serves one HTTP request under `SOCKET_IO_PATH` (the handshake, polling, the client script). */
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  /** Takes over one WebSocket upgrade under `SOCKET_IO_PATH`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Number of connected clients. */
  clients(): number;
  close(): void;
}

export type Role = 'assistant' | 'operator';

interface SocketData {
  role: Role;
  since?: number;
}

/**
 * Creates the `/events` namespace. The daemon's HTTP server hands it only the requests under
 * `SOCKET_IO_PATH` (`handleRequest`, `handleUpgrade`); the cross-process poll that feeds live
 * clients runs outside it, from daemon start (./socket-lazy.ts).
 */
export function createEventStream(deps: EventStreamDeps): EventStream {
  const { bus, events, logger } = deps;
  // Socket.IO attaches to a server of its own that never listens: attached to the daemon's server it
  // would wrap the request listener, and every MCP and API request would cross engine.io first.
  const own = createServer();
  const io = new Server(own, {
    // The dashboard loads the client from /socket.io/socket.io.min.js: no build step, no CDN.
    serveClient: true,
    path: SOCKET_IO_PATH,
    connectionStateRecovery: {
      maxDisconnectionDuration: deps.recoveryMs ?? 120_000,
      // A recovered session must show its token again, like a new one.
      skipMiddlewares: false,
    },
    allowRequest: (req, callback) => callback(null, deps.allowOrigin?.(req.headers.origin) ?? true),
  });
  const nsp = io.of(EVENTS_NAMESPACE);

  // Highest id that was either broadcast live or already stored when the stream started.
  let broadcastUpTo = 0;
  const started = events.lastId().then((id) => {
    broadcastUpTo = Math.max(broadcastUpTo, id);
  });
  const unsubscribe = bus.subscribe((event: VigilEvent) => {
    if (event.id <= broadcastUpTo) return;
    broadcastUpTo = event.id;
    nsp.to(LIVE_ROOM).emit(SOCKET_MESSAGES.event, event);
  });
  /** The snapshot as sent, or null (logged) when it does not match the shared schema. */
  const homelabPayload = (snapshot: HomelabSnapshot): HomelabSnapshot | null => {
    const parsed = homelabSnapshotSchema.safeParse(snapshot);
    if (parsed.success) return parsed.data;
    logger.error({ err: parsed.error.message }, 'homelab snapshot does not match its schema; not sent');
    return null;
  };
  const unsubscribeHomelab = deps.homelab?.subscribe((snapshot) => {
    const payload = homelabPayload(snapshot);
    if (payload) nsp.to(LIVE_ROOM).emit(SOCKET_MESSAGES.homelab, payload);
  });

  // Token check before the connection exists: a refused client never receives a single event.
  nsp.use((socket, next) => {
    const auth = handshakeAuthSchema.safeParse(socket.handshake.auth);
    if (!auth.success) {
      const sinceBad = auth.error.issues.some((i) => i.path[0] === 'since');
      next(socketRefusal(sinceBad ? 'badSince' : 'badAuth'));
      return;
    }
    const role = deps.authenticate(auth.data.token);
    if (!role) {
      next(socketRefusal('badAuth'));
      return;
    }
    const data: SocketData = { role, ...(auth.data.since === undefined ? {} : { since: auth.data.since }) };
    socket.data = data;
    next();
  });

  /** Reads the stored events in (from, to], at most 1000 per query. */
  const read = async (from: number, to: number): Promise<VigilEvent[]> => {
    const out: VigilEvent[] = [];
    let cursor = from;
    while (cursor < to) {
      const batch = await events.since(cursor, 1000);
      for (const event of batch) if (event.id <= to) out.push(event);
      const last = batch[batch.length - 1];
      if (!last || last.id >= to || batch.length < 1000) break;
      cursor = last.id;
    }
    return out;
  };

  /**
   * Replays (since, last broadcast] to one socket, then `join` (the live room): the reads are
   * asynchronous, so it reads again whatever was broadcast meanwhile, and emits and joins only
   * once nothing new came in, all in one synchronous step — no event is missed or sent twice.
   */
  const replay = async (socket: Socket, since: number, join: () => void): Promise<Ready> => {
    await started;
    await pollSafely();
    let bound = broadcastUpTo;
    const start = Math.max(since, bound - REPLAY_MAX);
    const found = since >= bound ? [] : await read(start, bound);
    while (broadcastUpTo > bound) {
      const upTo = broadcastUpTo;
      if (since < upTo) found.push(...(await read(Math.max(bound, since), upTo)));
      bound = upTo;
    }
    for (const event of found) socket.emit(SOCKET_MESSAGES.event, event);
    join();
    if (since >= bound) return { replayed: 0, lastId: bound, truncated: false, recovered: false };
    return { replayed: found.length, lastId: bound, truncated: start > since, recovered: false };
  };

  nsp.on('connection', (socket: Socket) => void connected(socket));

  async function connected(socket: Socket): Promise<void> {
    const data = socket.data as SocketData;
    let ready: Ready;
    if (socket.recovered) {
      // Socket.IO restored the room and re-sends the broadcasts this client missed.
      ready = { replayed: 0, lastId: broadcastUpTo, truncated: false, recovered: true };
    } else {
      // Without `since` the client starts from now: nothing to replay, but the poll still runs
      // first so that rows already stored are not sent to it as "live" later.
      ready = await replay(socket, data.since ?? Number.MAX_SAFE_INTEGER, () => void socket.join(LIVE_ROOM));
    }
    socket.emit(SOCKET_MESSAGES.ready, ready);
    const snapshot = deps.homelab?.latest();
    const payload =
      snapshot && (snapshot.criticalAt !== null || snapshot.routineAt !== null) && homelabPayload(snapshot);
    if (payload) socket.emit(SOCKET_MESSAGES.homelab, payload);
    logger.debug({ role: data.role, ...ready }, 'event stream client connected');

    // A client that asks for replays faster than it reads them would make the server buffer without
    // bound: `since` messages share a budget of REPLAY_MAX events per minute per connection.
    let budget = { windowStart: 0, used: 0 };
    socket.on(SOCKET_MESSAGES.since, async (payload: unknown, ack?: unknown) => {
      const parsed = sinceMessageSchema.safeParse(payload);
      const answer = typeof ack === 'function' ? (ack as (body: unknown) => void) : undefined;
      if (!parsed.success) {
        answer?.({ error: 'since: expected {since: non-negative integer event id}' });
        return;
      }
      const now = Date.now();
      if (now - budget.windowStart >= REPLAY_WINDOW_MS) budget = { windowStart: now, used: 0 };
      const wanted = Math.min(REPLAY_MAX, Math.max(0, broadcastUpTo - parsed.data.since));
      if (budget.used + wanted > REPLAY_MAX) {
        answer?.({
          error: `since: replay budget of ${REPLAY_MAX} events per minute used up; page through GET /api/events?since=`,
        });
        return;
      }
      const ready = await replay(socket, parsed.data.since, () => undefined);
      budget.used += ready.replayed;
      answer?.(ready);
    });
  }

  function pollSafely(): Promise<void> {
    return pollBus(bus, logger);
  }

  return {
    io,
    namespace: nsp,
    handleRequest: (req, res) => own.emit('request', req, res),
    handleUpgrade: (req, socket, head) => own.emit('upgrade', req, socket, head),
    clients: () => nsp.sockets.size,
    close() {
      unsubscribe();
      unsubscribeHomelab?.();
      io.disconnectSockets(true);
      io.engine.close();
    },
  };
}
