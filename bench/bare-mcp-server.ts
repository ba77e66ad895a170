/**
 * The floor the open-loop benchmark compares vigil with: a bare SDK server, McpServer with one no-op
 * tool, stateful Streamable HTTP (one transport per session) straight on node:http, no framework.
 * `node bare-mcp-server.mjs v1|v2` (the bench transpiles this file so it runs as plain node, like
 * vigil's dist) prints `{"url": ...}` once listening on 127.0.0.1 and exits on SIGTERM.
 * v1 is @modelcontextprotocol/sdk 1.x; v2 is @modelcontextprotocol/server + @modelcontextprotocol/node.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/** What both SDK generations offer here: a transport that handles one session's requests. */
interface SessionTransport {
  readonly sessionId?: string | undefined;
  handleRequest(req: IncomingMessage, res: ServerResponse, body?: unknown): Promise<void>;
}

/** Builds a server + transport pair for one new session; `onSession` fires once the id exists. */
type NewSession = (onSession: (id: string, t: SessionTransport) => void) => Promise<SessionTransport>;

async function v1(): Promise<{ create: NewSession; isInit: (b: unknown) => boolean }> {
  const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js');
  const { StreamableHTTPServerTransport } = await import('@modelcontextprotocol/sdk/server/streamableHttp.js');
  const { isInitializeRequest } = await import('@modelcontextprotocol/sdk/types.js');
  return {
    isInit: isInitializeRequest,
    async create(onSession) {
      const transport: InstanceType<typeof StreamableHTTPServerTransport> = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => onSession(id, transport),
      });
      const server = new McpServer({ name: 'bare-v1', version: '0.0.0' });
      server.registerTool('noop', { description: 'Does nothing.', inputSchema: {} }, async () => ({
        content: [{ type: 'text', text: 'ok' }],
      }));
      await server.connect(transport);
      return transport;
    },
  };
}

async function v2(): Promise<{ create: NewSession; isInit: (b: unknown) => boolean }> {
  const { McpServer, isInitializeRequest } = await import('@modelcontextprotocol/server');
  const { NodeStreamableHTTPServerTransport } = await import('@modelcontextprotocol/node');
  return {
    isInit: isInitializeRequest,
    async create(onSession) {
      const transport: InstanceType<typeof NodeStreamableHTTPServerTransport> = new NodeStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => onSession(id, transport),
      });
      const server = new McpServer({ name: 'bare-v2', version: '0.0.0' });
      server.registerTool('noop', { description: 'Does nothing.', inputSchema: z.object({}) }, async () => ({
        content: [{ type: 'text', text: 'ok' }],
      }));
      await server.connect(transport);
      return transport;
    },
  };
}

function rpcError(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

const generation = process.argv[2];
if (generation !== 'v1' && generation !== 'v2') {
  console.error('usage: bare-mcp-server v1|v2');
  process.exit(2);
}
const sdk = generation === 'v1' ? await v1() : await v2();
const sessions = new Map<string, SessionTransport>();
const http = createServer((req, res) => {
  void (async () => {
    const id = req.headers['mcp-session-id'];
    const session = typeof id === 'string' ? sessions.get(id) : undefined;
    if (typeof id === 'string' && !session) return rpcError(res, 404, 'unknown session');
    if (req.method !== 'POST') return session ? session.handleRequest(req, res) : rpcError(res, 400, 'no session');
    const body = await readJson(req);
    if (session) return session.handleRequest(req, res, body);
    if (!sdk.isInit(body)) return rpcError(res, 400, 'not an initialize request');
    const transport = await sdk.create((sid, t) => sessions.set(sid, t));
    await transport.handleRequest(req, res, body);
  })().catch((err: unknown) => {
    if (!res.headersSent) rpcError(res, 500, String(err));
  });
});
http.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp` })}\n`);
});
process.once('SIGTERM', () => process.exit(0));
