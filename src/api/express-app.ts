/**
 * What express serves on the daemon's HTTP server: /healthz, /metrics, the operator API, the
 * dashboard, the requests under /mcp that do not go straight to the MCP handler (all of /mcp behind
 * the OAuth guard), and the 404 and error answers. src/api/app.ts imports this module on the first
 * request that needs it, so a daemon nobody has called yet does not hold express and its routers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Core } from '../core.js';
import type { HomelabFeed } from '../monitor/homelab.js';
import { createTokenCheck } from './auth.js';
import { createDashboardRouter } from './dashboard/index.js';
import { createDashboardRoutes } from './dashboard-routes.js';
import type { McpHandler } from './mcp-http.js';
import type { Metrics } from './metrics.js';
import { createOAuthRouter } from './oauth/index.js';
import { createRestRouter } from './rest.js';

export interface ExpressAppDeps {
  core: Core;
  logger: Logger;
  /** The /mcp handler (src/api/mcp-lazy.ts). */
  mcp: McpHandler;
  metrics: Metrics;
  homelab?: HomelabFeed;
}

/** A request handler of node's own request and response. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Builds the express app: every route but the ones the HTTP server hands over directly. */
export function createExpressApp(deps: ExpressAppDeps): RequestHandler {
  const { core, logger, metrics } = deps;
  const { config } = core;
  const tokens = config.auth;
  const app = express();
  app.disable('x-powered-by');
  // OAuth (opt-in): the metadata document, and a guard that verifies access tokens before /mcp sees them.
  if (config.server.oauth) {
    app.use(
      createOAuthRouter({
        config: config.server.oauth,
        staticRole: createTokenCheck(tokens).roleOf,
        logger,
        now: core.deps.now,
      }),
    );
  }
  // /mcp is the first route MCP requests meet (after the OAuth guard): no other route is tried first.
  app.use('/mcp', deps.mcp);
  // Not ok while the database cannot be written: vigil then refuses every action, and says so here.
  // With PostgreSQL, also this daemon's role: a standby is healthy (it serves, it does not act).
  app.get('/healthz', async (_req, res) => {
    const state = await core.stores.storage.check(1000);
    const { engine, role, epoch } = core.ha;
    res.status(state.ok ? 200 : 503).json({ ...state, status: state.ok ? 'ok' : 'degraded', engine, role, epoch });
  });
  // Unauthenticated like /healthz, as Prometheus scrapers expect; the daemon binds loopback by default.
  app.get('/metrics', async (_req, res) => {
    const scrape = await metrics.render();
    res.setHeader('Content-Type', scrape.contentType);
    res.send(scrape.text);
  });
  app.use('/api', createRestRouter({ pipeline: core.pipeline, stores: core.stores, tokens, now: core.deps.now }));
  app.use(
    '/api',
    createDashboardRoutes({
      pipeline: core.pipeline,
      stores: core.stores,
      monitor: core.stores.monitor,
      samples: core.stores.samples,
      config,
      tokens,
      now: core.deps.now,
      // Read lazily: the monitor service sets it after HTTP has started.
      monitorStatus: () => core.deps.monitorStatus?.(),
      ha: core.ha,
      ...(deps.homelab ? { homelab: deps.homelab } : {}),
    }),
  );
  app.use(createDashboardRouter());
  app.use((req, res) => {
    res.status(404).json({ error: `no route for ${req.method} ${req.path}` });
  });
  // Malformed JSON bodies and other request errors: a clear 4xx, never a stack trace. (/mcp reads
  // and answers for its own body, as JSON-RPC: src/api/mcp-http.ts.)
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof err.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) logger.error({ err: err.message }, 'request failed');
    const parseFailed = err.type === 'entity.parse.failed';
    res
      .status(status)
      .json({ error: parseFailed ? 'body: invalid JSON' : status === 500 ? 'internal error' : err.message });
  });
  return (req, res) => void app(req, res);
}
