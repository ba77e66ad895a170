/**
 * MCP over Streamable HTTP at /mcp, for clients of revision 2026-07-28 and of 2025-11-25 and
 * 2025-06-18 on one endpoint: bearer assistant token, Host and Origin checked against DNS
 * rebinding, then each request is routed by its generation. A 2026-07-28 request is served on its
 * own (no session, a fresh server instance, the SDK's `createMcpHandler`). A 2025 client gets a
 * session with one transport and one server, as the SDK's sessionless fallback would lose its
 * elicitation and subscriptions; a session is bound to the token that opened it: a request naming
 * a session with any other credential is refused as unknown and audited, so a leaked session id
 * alone is not enough to act (or redeem an approval) in it. Sessions are bounded in number and
 * closed when idle (`server.mcpSessions`); that bookkeeping is src/api/mcp-sessions.ts, and this
 * module admits and routes the requests.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { isInitializeRequest, isLegacyRequest } from '@modelcontextprotocol/server';
import { NodeStreamableHTTPServerTransport, toWebRequest } from '@modelcontextprotocol/node';
import { createMcpSession, listedTools } from '../mcp/server.js';
import type { ResourceDeps } from '../mcp/resources.js';
import type { PromptDeps } from '../mcp/prompts.js';
import type { Pipeline } from '../mcp/pipeline.js';
import { bearerToken, createTokenCheck } from './auth.js';
import { oauthCaller, type OAuthCaller } from './oauth/caller.js';
import { createModernMcp } from './mcp-modern.js';
import { createBodyReader, type BodyError } from './mcp-body.js';
import { coalesceResponse } from './coalesce.js';
import { createSessionTable } from './mcp-sessions.js';

export { SESSION_AUDIT_TOOL } from './mcp-sessions.js';

/** The largest request body /mcp reads. */
const BODY_LIMIT = 1024 * 1024;

export interface McpHttpDeps {
  pipeline: Pipeline;
  tokens: { assistantToken: string; operatorToken: string };
  logger: Logger;
  /** Host header values accepted (host:port); computed once the port is known. */
  allowedHosts: () => ReadonlySet<string>;
  allowedOrigins: () => ReadonlySet<string>;
  /** Most open 2025 sessions (`server.mcpSessions.max`); default 200. */
  maxSessions?: number;
  /** Idle time after which a 2025 session is closed (`server.mcpSessions.idleSeconds`); default 30 min. */
  sessionIdleMs?: number;
  now?: () => number;
  /**
   * Runs `sweep` every `ms` until the returned stop is called; default `setInterval`. Tests pass
   * their own to sweep idle sessions when they choose.
   */
  every?: (ms: number, sweep: () => void) => () => void;
  /** MCP resources and prompts for every session (src/mcp/resources.ts, src/mcp/prompts.ts). */
  resources?: ResourceDeps;
  prompts?: PromptDeps;
}

/**
 * The /mcp handler: node's own request and response (no express API), so the HTTP server can hand
 * /mcp requests to it directly; mounted under express it calls `next` for paths below /mcp it does
 * not serve. `next` is never called for a request to /mcp itself with POST, GET or DELETE.
 */
export type McpHandler = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null });
}

/** The OAuth guard's verified caller, when the request came through it (express's `res.locals`). */
function oauthOf(res: ServerResponse): OAuthCaller | undefined {
  return 'locals' in res ? oauthCaller(res as Response) : undefined;
}

/** The path below the mount point: express strips /mcp; a request handed over directly has it. */
function subPath(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return path === '/mcp' || path === '/mcp/' ? '/' : path;
}

/** Builds the /mcp handler and a `close()` that ends every session. */
export function createMcpRouter(deps: McpHttpDeps): {
  router: McpHandler;
  close: () => Promise<void>;
  sessionCount: () => number;
} {
  const readBody = createBodyReader(BODY_LIMIT);
  const auth = createTokenCheck(deps.tokens);
  const tools = listedTools(deps.pipeline);
  const sessions = createSessionTable(deps);

  const modern = createModernMcp({
    pipeline: deps.pipeline,
    tools,
    logger: deps.logger,
    ...(deps.resources ? { resources: deps.resources } : {}),
    ...(deps.prompts ? { prompts: deps.prompts } : {}),
  });

  /** Host, Origin and the bearer token: the identity of an admitted assistant, else the answer is sent. */
  const admit = (req: IncomingMessage, res: ServerResponse): string | undefined => {
    const host = req.headers.host;
    if (host === undefined || !deps.allowedHosts().has(host.toLowerCase())) {
      jsonRpcError(res, 403, -32000, `Host "${host ?? ''}" is not allowed; add it to server.allowedHosts`);
      return undefined;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !deps.allowedOrigins().has(origin.toLowerCase())) {
      jsonRpcError(res, 403, -32000, `Origin "${origin}" is not allowed; add it to server.allowedOrigins`);
      return undefined;
    }
    // An access token the OAuth guard (mounted before this router) verified, else a static token.
    const who = oauthOf(res) ?? auth.identify(bearerToken(req.headers));
    const role = who?.role;
    if (sessions.borrowed(req, who?.identity, who ? `${who.role} token` : 'an invalid or missing token')) {
      // Same answer as for a session that does not exist: no oracle for which ids are live.
      if (role === 'assistant') {
        jsonRpcError(res, 404, -32001, 'unknown or expired session; initialize again');
        return undefined;
      }
    }
    if (who?.role !== 'assistant') {
      res.setHeader('WWW-Authenticate', 'Bearer realm="vigil-mcp"');
      // The operator token is deliberately not an assistant token: it can approve, the assistant must not.
      jsonRpcError(
        res,
        401,
        -32001,
        role === 'operator'
          ? 'the operator token cannot be used for MCP; use the assistant token'
          : 'missing or invalid bearer token',
      );
      return undefined;
    }
    return who.identity;
  };

  /** A body express.json would have refused: the same status, as a JSON-RPC envelope for a parse error. */
  const refuseBody = (res: ServerResponse, err: BodyError): void => {
    if (err.type === 'entity.parse.failed') {
      jsonRpcError(res, 400, -32700, 'Parse error: the body is not valid JSON');
      return;
    }
    const status = err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) deps.logger.error({ err: err.message }, 'request failed');
    sendJson(res, status, { error: status === 500 ? 'internal error' : err.message });
  };

  const post = async (req: IncomingMessage, res: ServerResponse, owner: string): Promise<void> => {
    coalesceResponse(res);
    const read = await readBody(req);
    if (!read.ok) {
      refuseBody(res, read.error);
      return;
    }
    const body = read.body;
    const sessionId = req.headers['mcp-session-id'];
    try {
      if (typeof sessionId !== 'string' && !(await isLegacyRequest(await toWebRequest(req, body), body))) {
        const oauth = oauthOf(res);
        await modern.handle(req, res, body, oauth ? { callerId: oauth.callerId, principal: oauth.identity } : {});
        return;
      }
      if (typeof sessionId === 'string') {
        const session = sessions.get(sessionId);
        if (!session) {
          jsonRpcError(res, 404, -32001, 'unknown or expired session; initialize again');
          return;
        }
        sessions.touch(session, res);
        await session.transport.handleRequest(req, res, body);
        return;
      }
      if (!isInitializeRequest(body)) {
        jsonRpcError(res, 400, -32000, 'no mcp-session-id header and not an initialize request');
        return;
      }
      if (!(await sessions.makeRoom())) {
        jsonRpcError(
          res,
          503,
          -32000,
          `too many open MCP sessions (server.mcpSessions.max is ${sessions.maxSessions}); close idle clients, raise ` +
            'server.mcpSessions.max, or use a client of revision 2026-07-28 (it keeps no session)',
        );
        return;
      }
      await openSession(req, res, owner, body);
    } catch (err) {
      deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'MCP request failed');
      if (!res.headersSent) jsonRpcError(res, 500, -32603, 'internal error');
    }
  };

  /** A 2025 client's initialize: a transport and a server of its own, kept until it ends or idles. */
  const openSession = async (
    req: IncomingMessage,
    res: ServerResponse,
    owner: string,
    body: unknown,
  ): Promise<void> => {
    const transport: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.add(id, owner, transport, server);
      },
    });
    const oauth = oauthOf(res);
    const server = createMcpSession({
      pipeline: deps.pipeline,
      tools,
      sessionId: () => transport.sessionId,
      ...(oauth ? { callerId: oauth.callerId, principal: oauth.identity } : {}),
      // The dashboard is served where this client reached /mcp (a Host the check above allowed).
      // The server is plain HTTP (node:http, no proxy trusted), as express's req.protocol said.
      approvalPage: (id) => `http://${req.headers.host}/#/approvals/${encodeURIComponent(id)}`,
      ...(deps.resources ? { resources: deps.resources } : {}),
      ...(deps.prompts ? { prompts: deps.prompts } : {}),
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.remove(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };

  const bySession = async (req: IncomingMessage, res: ServerResponse) => {
    const sessionId = req.headers['mcp-session-id'];
    const session = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (!session) {
      jsonRpcError(res, 404, -32001, 'unknown or expired session');
      return;
    }
    try {
      sessions.touch(session, res);
      await session.transport.handleRequest(req, res);
    } catch (err) {
      deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'MCP stream failed');
      if (!res.headersSent) jsonRpcError(res, 500, -32603, 'internal error');
    }
  };
  const router: McpHandler = (req, res, next) => {
    const owner = admit(req, res);
    if (owner === undefined) return;
    // Express routed HEAD with GET; other methods and deeper paths fall through to its 404.
    const method = req.method;
    if (subPath(req.url ?? '/') !== '/') next();
    else if (method === 'POST') void post(req, res, owner);
    else if (method === 'GET' || method === 'HEAD' || method === 'DELETE') void bySession(req, res);
    else next();
  };

  return {
    router,
    sessionCount: () => sessions.size(),
    async close() {
      await Promise.allSettled([modern.close(), sessions.close()]);
    },
  };
}
