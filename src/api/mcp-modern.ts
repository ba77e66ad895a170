/**
 * The 2026-07-28 side of /mcp: every request is served on its own by a fresh server instance
 * through the SDK's `createMcpHandler` (strict: a 2025 request never reaches it, mcp-http.ts routes
 * those to sessions). Change notifications reach the clients' subscriptions/listen streams through
 * one feed for the whole endpoint, and confirmation state between rounds is signed with one key.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMcpHandler, type AuthInfo } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import type { Logger } from 'pino';
import { createMcpSession, createStateCodec } from '../mcp/server.js';
import { watchChanges, type ResourceDeps } from '../mcp/resources.js';
import type { PromptDeps } from '../mcp/prompts.js';
import type { Pipeline } from '../mcp/pipeline.js';
import type { Tool } from '@modelcontextprotocol/server';

/** Who sent a request, as the router authenticated it (handed to the instance through `authInfo`). */
export interface ModernCaller {
  /** The verified OAuth subject, when the caller presented an access token. */
  callerId?: string;
  principal?: string;
}

/** Builds the 2026-07-28 handler; `close()` ends its streams and its change feed. */
export function createModernMcp(deps: {
  pipeline: Pipeline;
  tools: readonly Tool[];
  logger: Logger;
  resources?: ResourceDeps;
  prompts?: PromptDeps;
}): {
  handle: (req: IncomingMessage, res: ServerResponse, body: unknown, caller: ModernCaller) => Promise<void>;
  close: () => Promise<void>;
} {
  const stateCodec = createStateCodec();
  const handler = createMcpHandler(
    (ctx) => {
      const caller = (ctx.authInfo?.extra ?? {}) as ModernCaller;
      // The dashboard is served where this client reached /mcp (a Host the router allowed).
      const origin = ctx.requestInfo ? new URL(ctx.requestInfo.url).origin : undefined;
      return createMcpSession({
        pipeline: deps.pipeline,
        tools: deps.tools,
        sessionId: () => undefined,
        era: 'modern',
        stateCodec,
        ...caller,
        ...(origin ? { approvalPage: (id: string) => `${origin}/#/approvals/${encodeURIComponent(id)}` } : {}),
        ...(deps.resources ? { resources: deps.resources } : {}),
        ...(deps.prompts ? { prompts: deps.prompts } : {}),
      });
    },
    {
      legacy: 'reject',
      onerror: (err) => deps.logger.debug({ err: err.message }, 'MCP 2026-07-28 request refused or failed'),
    },
  );
  const node = toNodeHandler(handler);
  const stopFeed = deps.resources
    ? watchChanges(deps.resources, {
        updated: (uri) => handler.notify.resourceUpdated(uri),
        listChanged: () => handler.notify.resourcesChanged(),
      })
    : () => undefined;
  return {
    async handle(req, res, body, caller) {
      const auth: AuthInfo = { token: '', clientId: caller.callerId ?? 'assistant', scopes: [], extra: { ...caller } };
      await node(Object.assign(req, { auth }), res, body);
    },
    async close() {
      stopFeed();
      await handler.close();
    },
  };
}
