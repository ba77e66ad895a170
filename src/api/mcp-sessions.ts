/**
 * The 2025 clients' MCP sessions over HTTP, as bookkeeping: which sessions are open and who owns
 * them, the cap on how many (`server.mcpSessions.max`), idle eviction (`server.mcpSessions.idleSeconds`),
 * and the audited refusal of a request that names a session opened by another credential. It
 * neither routes requests nor answers them: src/api/mcp-http.ts does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Server } from '@modelcontextprotocol/server';
import type { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import type { Pipeline } from '../mcp/pipeline.js';
import { errorMessage } from '../contracts/errors.js';

/** About 0.85 MB of RSS each (bench many-sessions): 200 keeps the worst case near 170 MB. */
const MAX_SESSIONS = 200;
/** A session with no request for this long is closed. */
const SESSION_IDLE_MS = 30 * 60_000;

/** The tool column of an audit row that records a refused session, not a tool call. */
export const SESSION_AUDIT_TOOL = 'mcp_session';

/** One open 2025 session: its transport and server, and what idle eviction needs to know. */
export interface Session {
  /** The identity (role and token digest) of the credential that opened the session. */
  owner: string;
  transport: NodeStreamableHTTPServerTransport;
  server: Server;
  lastSeen: number;
  /** Requests in progress (an open GET stream counts until it ends): a busy session is never idle. */
  busy: number;
}

/** What the session table needs: the pipeline to audit refusals through, and the limits. */
export interface SessionTableDeps {
  pipeline: Pipeline;
  logger: Logger;
  /** Most open sessions; default 200. */
  maxSessions?: number;
  /** Idle time after which a session is closed; default 30 min. */
  sessionIdleMs?: number;
  now?: () => number;
  /** Runs `sweep` every `ms` until the returned stop is called; default `setInterval`. */
  every?: (ms: number, sweep: () => void) => () => void;
}

/** The open sessions of one /mcp endpoint; see the module comment. */
export interface SessionTable {
  /** The most sessions open at once. */
  readonly maxSessions: number;
  get: (id: string) => Session | undefined;
  /** Registers a session the transport has just initialized, owned by `owner`. */
  add: (id: string, owner: string, transport: NodeStreamableHTTPServerTransport, server: Server) => void;
  remove: (id: string) => void;
  size: () => number;
  /**
   * Whether `req` names a live session opened by a credential other than `identity`; if so the
   * refusal is logged and audited (described as `who`), and the session itself is untouched.
   */
  borrowed: (req: IncomingMessage, identity: string | undefined, who: string) => boolean;
  /** Marks a session busy until this response ends (a GET stream stays open for long), and fresh. */
  touch: (session: Session, res: ServerResponse) => void;
  /** Whether a new session fits under the cap, closing idle ones first when it is reached. */
  makeRoom: () => Promise<boolean>;
  /** Stops the idle sweep and closes every session. */
  close: () => Promise<void>;
}

/** Builds the session table and starts its idle sweep. */
export function createSessionTable(deps: SessionTableDeps): SessionTable {
  const sessions = new Map<string, Session>();
  const now = deps.now ?? Date.now;
  const maxSessions = deps.maxSessions ?? MAX_SESSIONS;
  const idleMs = deps.sessionIdleMs ?? SESSION_IDLE_MS;

  /**
   * Records a request that named a live session with another credential, through the pipeline's
   * record and publish steps (one audit row with the session id, a tool.blocked event without it).
   */
  const failed = (err: unknown): void =>
    deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'auditing a refused session failed');
  const refuseBorrowed = (req: IncomingMessage, sessionId: string, who: string): void => {
    const method = req.method ?? 'POST';
    deps.logger.warn({ method, who }, 'MCP request named a session opened by another client');
    try {
      const reason = errorMessage('ERR_SESSION_BORROWED', method, who);
      deps.pipeline
        .refuse(
          SESSION_AUDIT_TOOL,
          { httpMethod: method },
          { kind: 'assistant', id: who, sessionId },
          { verdict: 'block', code: 'caller_not_permitted', error: 'ERR_SESSION_BORROWED', reason },
        )
        .catch(failed);
    } catch (err) {
      failed(err);
    }
  };

  /** Clients that vanish without DELETE leave their session behind: idle ones are closed. */
  const evictIdle = async (): Promise<void> => {
    const cutoff = now() - idleMs;
    const idle = [...sessions.entries()].filter(([, s]) => s.busy === 0 && s.lastSeen <= cutoff);
    for (const [id] of idle) sessions.delete(id);
    await Promise.allSettled(idle.map(([, s]) => s.server.close()));
  };

  const every =
    deps.every ??
    ((ms: number, sweep: () => void) => {
      const timer = setInterval(sweep, ms);
      timer.unref();
      return () => clearInterval(timer);
    });
  const stopSweep = every(Math.max(1000, Math.min(idleMs, 60_000)), () => void evictIdle());

  return {
    maxSessions,
    get: (id) => sessions.get(id),
    add: (id, owner, transport, server) => {
      sessions.set(id, { owner, transport, server, lastSeen: now(), busy: 0 });
    },
    remove: (id) => {
      sessions.delete(id);
    },
    size: () => sessions.size,
    borrowed: (req, identity, who) => {
      const named = req.headers['mcp-session-id'];
      const session = typeof named === 'string' ? sessions.get(named) : undefined;
      if (!session || session.owner === identity) return false;
      refuseBorrowed(req, named as string, who);
      return true;
    },
    touch: (session, res) => {
      session.busy += 1;
      session.lastSeen = now();
      res.once('close', () => {
        session.busy -= 1;
        session.lastSeen = now();
      });
    },
    async makeRoom() {
      if (sessions.size >= maxSessions) await evictIdle();
      return sessions.size < maxSessions;
    },
    async close() {
      stopSweep();
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled(all.map((s) => s.server.close()));
    },
  };
}
