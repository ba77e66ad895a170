/**
 * The two HTTP servers the MCP benchmark compares, each run in its own process (as a daemon and its
 * clients would be): `node --import tsx bench/mcp-http-server.ts vigil|bare` prints `{"url": ...}`
 * on stdout once listening, and exits when stdin closes.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import express, { type Request, type Response } from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { startHttp } from '../src/api/app.js';
import { benchCore } from './common.js';

export interface Target {
  url: string;
  close(): Promise<void>;
}

/** A plain SDK server: McpServer.registerTool + one StreamableHTTPServerTransport per session, no vigil pipeline. */
export async function startBare(): Promise<Target> {
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; server: McpServer }>();
  const app = express();
  app.post('/mcp', express.json({ limit: '1mb' }), async (req: Request, res: Response) => {
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId);
      if (!session) {
        res.status(404).json({ jsonrpc: '2.0', error: { code: -32001, message: 'unknown session' }, id: null });
        return;
      }
      await session.transport.handleRequest(req, res, req.body);
      return;
    }
    if (!isInitializeRequest(req.body)) {
      res.status(400).json({ jsonrpc: '2.0', error: { code: -32000, message: 'not an initialize request' }, id: null });
      return;
    }
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server });
      },
    });
    const server = new McpServer({ name: 'bare', version: '0.0.0' });
    server.registerTool(
      'noop',
      { title: 'No-op', description: 'Does nothing; for benchmarks.', inputSchema: {} },
      async () => ({
        content: [{ type: 'text', text: 'ok' }],
      }),
    );
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  const bySession = async (req: Request, res: Response) => {
    const sessionId = req.headers['mcp-session-id'];
    const session = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (!session) {
      res.status(404).json({ jsonrpc: '2.0', error: { code: -32001, message: 'unknown session' }, id: null });
      return;
    }
    await session.transport.handleRequest(req, res);
  };
  app.get('/mcp', bySession);
  app.delete('/mcp', bySession);
  const http: HttpServer = createServer(app);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    async close() {
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled(all.map((s) => s.server.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** vigil's daemon HTTP surface over a fresh core. */
export async function startVigil(): Promise<Target> {
  const { core, dispose } = benchCore();
  const app = await startHttp(core, '127.0.0.1', 0);
  return {
    url: `${app.url}/mcp`,
    async close() {
      await app.close();
      await dispose();
    },
  };
}

const which = process.argv[2];
const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain && (which === 'vigil' || which === 'bare')) {
  const target = which === 'vigil' ? await startVigil() : await startBare();
  process.stdout.write(`${JSON.stringify({ url: target.url })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void target.close().then(() => process.exit(0));
  });
}
