/**
 * The `/events` stream as the daemon's HTTP server sees it. The cross-process poll runs from start
 * (events written by `vigil mcp` or the CLI reach every bus subscriber: live clients, /metrics, MCP
 * resource subscriptions); Socket.IO itself (./socket.ts) is imported and created on the first
 * request under its path, so a daemon that no dashboard or chat UI has opened does not hold it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createBusPoller } from './bus.js';
import type { EventStream, EventStreamDeps } from './socket.js';
import { SOCKET_IO_PATH } from './socket-protocol.js';

const PATH_PREFIX = `${SOCKET_IO_PATH}/`;

/** Where the stream comes from: the module that builds it (tests pass their own). */
export type EventStreamLoader = () => Promise<{ createEventStream: (deps: EventStreamDeps) => EventStream }>;

export interface LazyEventStreamDeps extends EventStreamDeps {
  /** How often to pick up events written by other processes (`vigil mcp`). Default 250 ms. */
  pollMs?: number;
}

export interface LazyEventStream {
  /** Whether a request (or upgrade) for `url` is Socket.IO's. */
  owns(url: string): boolean;
  /** Serves one request `owns` said is Socket.IO's, creating the stream first if needed. */
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  /** Takes over one upgrade `owns` said is Socket.IO's, creating the stream first if needed. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Connected clients (none before the stream exists). */
  clients(): number;
  /** The stream, once a request has created it. */
  created(): EventStream | undefined;
  /** Stops the poll and the stream; requests after this are refused. */
  close(): void;
}

/** Starts the cross-process poll; the Socket.IO stream over `deps` is created on first use. */
export function lazyEventStream(
  deps: LazyEventStreamDeps,
  load: EventStreamLoader = () => import('./socket.js'),
): LazyEventStream {
  let stream: EventStream | undefined;
  let creating: Promise<EventStream> | undefined;
  let closed = false;
  const pollOnce = createBusPoller(deps.bus, deps.logger);
  const poller = setInterval(() => void pollOnce(), deps.pollMs ?? 250);
  poller.unref();

  const create = (): Promise<EventStream> => {
    if (!creating) {
      const attempt = load().then(({ createEventStream }) => {
        if (closed) throw new Error('the event stream is closed');
        stream = createEventStream(deps);
        return stream;
      });
      // A failed import is tried again by the next request.
      attempt.catch(() => {
        if (creating === attempt) creating = undefined;
      });
      creating = attempt;
    }
    return creating;
  };

  return {
    owns: (url) => url.startsWith(PATH_PREFIX),
    handleRequest(req, res) {
      if (stream) return stream.handleRequest(req, res);
      create().then(
        (s) => s.handleRequest(req, res),
        () => {
          res.statusCode = 503;
          res.end();
        },
      );
    },
    handleUpgrade(req, socket, head) {
      if (stream) return stream.handleUpgrade(req, socket, head);
      create().then(
        (s) => s.handleUpgrade(req, socket, head),
        () => socket.destroy(),
      );
    },
    clients: () => stream?.clients() ?? 0,
    created: () => stream,
    close() {
      closed = true;
      clearInterval(poller);
      stream?.close();
    },
  };
}
