/**
 * The daemon's HTTP surface: /healthz, /metrics, MCP at /mcp, the operator API at /api, the
 * dashboard at /, and the Socket.IO event stream at /events on the same server. Binds 127.0.0.1
 * unless told otherwise. Each heavy part is loaded on the first request that needs it: the MCP
 * layer (src/api/mcp-lazy.ts), Socket.IO (src/realtime/socket-lazy.ts), and express with every
 * other route (src/api/express-app.ts).
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Core } from '../core.js';
import { lazyMcpRouter } from './mcp-lazy.js';
import { mcpSurface } from '../mcp/surface.js';
import { createTokenCheck } from './auth.js';
import { createMetrics, type MetricsSources } from './metrics.js';
import { lazyEventStream, type LazyEventStream } from '../realtime/socket-lazy.js';
import type { HomelabFeed } from '../monitor/homelab.js';
import type { ExpressAppDeps, RequestHandler } from './express-app.js';
import { loadOnce } from '../util/load-once.js';

export interface HttpOptions {
  /** State other subsystems own (incidents, outbox, monitor cycles) for /metrics. */
  metricsSources?: MetricsSources;
  /** How often the event stream picks up events other processes wrote. Default 250 ms. */
  pollMs?: number;
  /** The monitor's latest observation, for `GET /api/homelab` and `homelab` messages on /events. */
  homelab?: HomelabFeed;
}

export interface HttpApp {
  server: HttpServer;
  /** The /events stream: Socket.IO is created on the first request under its path. */
  events: LazyEventStream;
  /** Whether an /mcp request has loaded the MCP protocol layer yet. */
  mcpLoaded(): boolean;
  url: string;
  port: number;
  close(): Promise<void>;
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** A request for /mcp itself (any query) with a method the MCP handler serves without falling through. */
function directMcp(method: string | undefined, url: string): boolean {
  if (!url.startsWith('/mcp') || (url.length > 4 && url[4] !== '?')) return false;
  return method === 'POST' || method === 'GET' || method === 'DELETE';
}

/** Where the express app comes from: its module (tests pass their own). */
export type ExpressLoader = () => Promise<{ createExpressApp: (deps: ExpressAppDeps) => RequestHandler }>;

/**
 * The express app (src/api/express-app.ts), imported and built on the first request that needs
 * it (or at once by `load`). A failed load is answered 500 and tried again by the next request.
 */
export function lazyExpressApp(
  deps: ExpressAppDeps,
  logger: Logger,
  loader: ExpressLoader = () => import('./express-app.js'),
): { handle: RequestHandler; load: () => Promise<unknown> } {
  const app = loadOnce(() => loader().then((m) => m.createExpressApp(deps)));
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    app.get().then(
      (handle) => handle(req, res),
      (err: unknown) => {
        logger.error({ err: err instanceof Error ? err.message : String(err) }, 'loading the HTTP routes failed');
        if (res.headersSent) return;
        res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: 'internal error' }));
      },
    );
  };
  return { handle, load: () => app.get() };
}

/** Starts the HTTP server on host:port (port 0 picks a free one). */
export async function startHttp(core: Core, host: string, port: number, options: HttpOptions = {}): Promise<HttpApp> {
  const { config, logger } = core;
  const tokens = config.auth;
  let boundPort = port;
  let hosts = new Set<string>();
  let origins = new Set<string>();

  // Built, and the MCP protocol layer loaded, on the first /mcp request (src/api/mcp-lazy.ts).
  const mcp = lazyMcpRouter({
    pipeline: core.pipeline,
    tokens,
    logger,
    allowedHosts: () => hosts,
    allowedOrigins: () => origins,
    maxSessions: config.server.mcpSessions.max,
    sessionIdleMs: config.server.mcpSessions.idleSeconds * 1000,
    ...mcpSurface(core, options.homelab),
  });
  const events = lazyEventStream({
    bus: core.bus,
    events: core.stores.events,
    authenticate: createTokenCheck(tokens).roleOf,
    // Same Origin rule as /mcp: a page from elsewhere cannot open the stream even holding a token.
    allowOrigin: (origin) => origin === undefined || origins.has(origin.toLowerCase()),
    logger,
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    ...(options.homelab ? { homelab: options.homelab } : {}),
  });
  const { outbox, monitor: monitorStore } = core.stores;
  const metrics = createMetrics({
    audit: core.stores.audit,
    bus: core.bus,
    // Outbox and monitor state are tables every daemon has, whichever process fills them.
    sources: {
      streamClients: events.clients,
      outboxDepth: async () => (await outbox.counts()).pending,
      openIncidents: () => monitorStore.activeIncidents(),
      lastCycles: () => monitorStore.runs(),
      leadership: () => ({ leading: core.ha.role !== 'standby', epoch: core.ha.epoch }),
      storageReachable: async () => (await core.stores.storage.check(1000)).ok,
      ...options.metricsSources,
    },
  });
  const routes = lazyExpressApp(
    { core, logger, mcp: mcp.handler, metrics, ...(options.homelab ? { homelab: options.homelab } : {}) },
    logger,
  );
  const app = routes.handle;
  // Without OAuth (whose guard is an express router), a POST, GET or DELETE to /mcp itself goes
  // straight to the MCP handler: it checks Host, Origin and the token and reads its own body, so
  // express's routing and body parsing are not on the call path. Anything else under /mcp still
  // goes through express to the same handler.
  const direct = config.server.oauth ? () => false : directMcp;
  // Socket.IO sees only the requests under its own path; every other request goes to express.
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    // A handler that cannot serve it (its module failed to load) leaves it to express's error route.
    if (direct(req.method, url)) mcp.handler(req, res, () => app(req, res));
    else if (events.owns(url)) events.handleRequest(req, res);
    else app(req, res);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (events.owns(req.url ?? '/')) events.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  try {
    // With OAuth every /mcp request goes through express (the guard is an express router): build it
    // now, so a bad OAuth setup stops the start and the mode is logged when the daemon starts.
    if (config.server.oauth) await routes.load();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    events.close();
    metrics.close();
    await mcp.close();
    throw err;
  }
  boundPort = (server.address() as AddressInfo).port;
  const names = new Set([...LOOPBACK_NAMES, host.includes(':') ? `[${host}]` : host]);
  hosts = new Set([
    ...[...names].map((n) => `${n}:${boundPort}`),
    ...config.server.allowedHosts.map((h) => h.toLowerCase()),
  ]);
  origins = new Set([
    ...[...names].map((n) => `http://${n}:${boundPort}`),
    ...config.server.allowedOrigins.map((o) => o.toLowerCase()),
  ]);
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  return {
    server,
    events,
    mcpLoaded: mcp.loaded,
    port: boundPort,
    url: `http://${urlHost}:${boundPort}`,
    async close() {
      await mcp.close();
      events.close();
      metrics.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
