/**
 * MCP over Streamable HTTP at /mcp: bearer assistant token, Host and Origin checked against
 * DNS rebinding, one transport and one server per session. A session is bound to the token that
 * opened it: a request naming a session with any other credential is refused as unknown and
 * audited, so a leaked session id alone is not enough to act (or redeem an approval) in it.
 */
import { randomUUID } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import express from 'express';
import type { Logger } from 'pino';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { createMcpSession, listedTools } from '../mcp/server.js';
import type { ResourceDeps } from '../mcp/resources.js';
import type { PromptDeps } from '../mcp/prompts.js';
import type { Pipeline } from '../mcp/pipeline.js';
import { bearerToken, createTokenCheck } from './auth.js';
import { errorMessage } from '../contracts/errors.js';
import { oauthCaller } from './oauth/index.js';

const MAX_SESSIONS = 1000;
/** A session with no request for this long may be closed to make room for a new one. */
const SESSION_IDLE_MS = 30 * 60_000;

export interface McpHttpDeps {
  pipeline: Pipeline;
  tokens: { assistantToken: string; operatorToken: string };
  logger: Logger;
  /** Host header values accepted (host:port); computed once the port is known. */
  allowedHosts: () => ReadonlySet<string>;
  allowedOrigins: () => ReadonlySet<string>;
  /** Most open sessions; default 1000. */
  maxSessions?: number;
  /** Idle time after which a session may be evicted when the table is full; default 30 min. */
  sessionIdleMs?: number;
  now?: () => number;
  /** MCP resources and prompts for every session (src/mcp/resources.ts, src/mcp/prompts.ts). */
  resources?: ResourceDeps;
  prompts?: PromptDeps;
}

interface Session {
  /** The identity (role and token digest) of the credential that opened the session. */
  owner: string;
  transport: StreamableHTTPServerTransport;
  server: Server;
  lastSeen: number;
  /** Requests in progress (an open GET stream counts until it ends): a busy session is never idle. */
  busy: number;
}

/** The tool column of an audit row that records a refused session, not a tool call. */
export const SESSION_AUDIT_TOOL = 'mcp_session';

function jsonRpcError(res: Response, status: number, code: number, message: string): void {
  res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}

/** Builds the /mcp router and a `close()` that ends every session. */
export function createMcpRouter(deps: McpHttpDeps): {
  router: Router;
  close: () => Promise<void>;
  sessionCount: () => number;
} {
  const sessions = new Map<string, Session>();
  const router = express.Router();
  const now = deps.now ?? Date.now;
  const maxSessions = deps.maxSessions ?? MAX_SESSIONS;
  const idleMs = deps.sessionIdleMs ?? SESSION_IDLE_MS;
  const auth = createTokenCheck(deps.tokens);
  const tools = listedTools(deps.pipeline);

  /**
   * Records a request that named a live session with another credential, through the pipeline's
   * record and publish steps (one audit row with the session id, a tool.blocked event without it);
   * the session itself is untouched.
   */
  const refuseBorrowed = (req: Request, sessionId: string, who: string): void => {
    deps.logger.warn({ method: req.method, who }, 'MCP request named a session opened by another client');
    try {
      const reason = errorMessage('ERR_SESSION_BORROWED', req.method, who);
      deps.pipeline.refuse(
        SESSION_AUDIT_TOOL,
        { httpMethod: req.method },
        { kind: 'assistant', id: who, sessionId },
        { verdict: 'block', code: 'caller_not_permitted', error: 'ERR_SESSION_BORROWED', reason },
      );
    } catch (err) {
      deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'auditing a refused session failed');
    }
  };

  /** Clients that vanish without DELETE leave their session behind; at the cap, close the idle ones. */
  const evictIdle = async (): Promise<void> => {
    const cutoff = now() - idleMs;
    const idle = [...sessions.entries()].filter(([, s]) => s.busy === 0 && s.lastSeen <= cutoff);
    for (const [id] of idle) sessions.delete(id);
    await Promise.allSettled(idle.map(([, s]) => s.server.close()));
  };

  /** Marks a session busy until this response ends (a GET stream stays open for long), and fresh. */
  const touch = (session: Session, res: Response): void => {
    session.busy += 1;
    session.lastSeen = now();
    res.once('close', () => {
      session.busy -= 1;
      session.lastSeen = now();
    });
  };

  router.use((req, res, next) => {
    const host = req.headers.host;
    if (host === undefined || !deps.allowedHosts().has(host.toLowerCase())) {
      jsonRpcError(res, 403, -32000, `Host "${host ?? ''}" is not allowed; add it to server.allowedHosts`);
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !deps.allowedOrigins().has(origin.toLowerCase())) {
      jsonRpcError(res, 403, -32000, `Origin "${origin}" is not allowed; add it to server.allowedOrigins`);
      return;
    }
    // An access token the OAuth guard (mounted before this router) verified, else a static token.
    const who = oauthCaller(res) ?? auth.identify(bearerToken(req.headers));
    const role = who?.role;
    const named = req.headers['mcp-session-id'];
    const session = typeof named === 'string' ? sessions.get(named) : undefined;
    if (session && session.owner !== who?.identity) {
      refuseBorrowed(req, named as string, who ? `${who.role} token` : 'an invalid or missing token');
      // Same answer as for a session that does not exist: no oracle for which ids are live.
      if (role === 'assistant') {
        jsonRpcError(res, 404, -32001, 'unknown or expired session; initialize again');
        return;
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
      return;
    }
    res.locals.owner = who.identity;
    next();
  });

  router.post('/', express.json({ limit: '1mb' }), async (req: Request, res: Response) => {
    const sessionId = req.headers['mcp-session-id'];
    try {
      if (typeof sessionId === 'string') {
        const session = sessions.get(sessionId);
        if (!session) {
          jsonRpcError(res, 404, -32001, 'unknown or expired session; initialize again');
          return;
        }
        touch(session, res);
        await session.transport.handleRequest(req, res, req.body);
        return;
      }
      if (!isInitializeRequest(req.body)) {
        jsonRpcError(res, 400, -32000, 'no mcp-session-id header and not an initialize request');
        return;
      }
      if (sessions.size >= maxSessions) await evictIdle();
      if (sessions.size >= maxSessions) {
        jsonRpcError(res, 503, -32000, `too many open MCP sessions (${maxSessions}); close idle clients`);
        return;
      }
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          sessions.set(id, { owner: res.locals.owner as string, transport, server, lastSeen: now(), busy: 0 });
        },
      });
      const oauth = oauthCaller(res);
      const server = createMcpSession({
        pipeline: deps.pipeline,
        tools,
        sessionId: () => transport.sessionId,
        ...(oauth ? { callerId: oauth.callerId, principal: oauth.identity } : {}),
        // The dashboard is served where this client reached /mcp (a Host the check above allowed).
        approvalPage: (id) => `${req.protocol}://${req.headers.host}/#/approvals/${encodeURIComponent(id)}`,
        ...(deps.resources ? { resources: deps.resources } : {}),
        ...(deps.prompts ? { prompts: deps.prompts } : {}),
      });
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId);
      };
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    } catch (err) {
      deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'MCP request failed');
      if (!res.headersSent) jsonRpcError(res, 500, -32603, 'internal error');
    }
  });

  const bySession = async (req: Request, res: Response) => {
    const sessionId = req.headers['mcp-session-id'];
    const session = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (!session) {
      jsonRpcError(res, 404, -32001, 'unknown or expired session');
      return;
    }
    try {
      touch(session, res);
      await session.transport.handleRequest(req, res);
    } catch (err) {
      deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'MCP stream failed');
      if (!res.headersSent) jsonRpcError(res, 500, -32603, 'internal error');
    }
  };
  router.get('/', bySession);
  router.delete('/', bySession);

  return {
    router,
    sessionCount: () => sessions.size,
    async close() {
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled(all.map((s) => s.server.close()));
    },
  };
}
