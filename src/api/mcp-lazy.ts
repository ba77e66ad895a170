/**
 * The /mcp endpoint, built on its first request. Building it loads the MCP protocol layer (the SDK
 * and vigil's MCP server: what `./mcp-http.js` imports) through a dynamic import, so a daemon no
 * assistant has connected to yet does not hold that layer in memory; every later request finds it
 * built.
 */
import type { McpHandler, McpHttpDeps, createMcpRouter } from './mcp-http.js';
import { loadOnce } from '../util/load-once.js';

type McpEndpoint = ReturnType<typeof createMcpRouter>;

/** Where the endpoint comes from: the module that builds it (tests pass their own). */
export type McpLoader = () => Promise<{ createMcpRouter: (deps: McpHttpDeps) => McpEndpoint }>;

export interface LazyMcp {
  /** The /mcp middleware: builds the endpoint on the first request, then hands every request to it. */
  handler: McpHandler;
  /** Whether a request has started building the endpoint (and so loading the MCP layer). */
  loaded(): boolean;
  /** Ends the endpoint's sessions if it was built; a request after this is not served. */
  close(): Promise<void>;
}

/** Wraps the /mcp endpoint over `deps` so that it is built, and its modules loaded, on first use. */
export function lazyMcpRouter(deps: McpHttpDeps, load: McpLoader = () => import('./mcp-http.js')): LazyMcp {
  // A load that failed (a module missing from a broken install) is tried again by the next request.
  const endpoint = loadOnce(() => load().then(({ createMcpRouter }) => createMcpRouter(deps)));
  let closed = false;

  return {
    handler(req, res, next) {
      if (closed) {
        const body = JSON.stringify({
          jsonrpc: '2.0',
          error: { code: -32000, message: 'vigil is shutting down' },
          id: null,
        });
        res.writeHead(503, { 'Content-Type': 'application/json; charset=utf-8' }).end(body);
        return;
      }
      endpoint.get().then((mcp) => mcp.router(req, res, next), next);
    },
    loaded: () => endpoint.peek() !== undefined,
    async close() {
      closed = true;
      await endpoint.peek()?.then(
        (mcp) => mcp.close(),
        () => undefined,
      );
    },
  };
}
