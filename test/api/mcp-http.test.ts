// Pins the /mcp session table of 2025 clients: a full table refuses new sessions with 503 naming server.mcpSessions.max unless some are idle, idle ones (never busy ones) make room and are swept on a timer, and 2026-07-28 requests need no room.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMcpRouter } from '../../src/api/mcp-http.js';
import { silentLogger, startTestVigil, type TestVigil } from '../helpers/vigil.js';

let vigil: TestVigil;
let server: Server;
let url: string;
let clock = 0;
let mcp: ReturnType<typeof createMcpRouter>;
/** The router's idle sweep, run when a test says so (no wall-clock timer). */
let sweep: () => void = () => undefined;

beforeAll(async () => {
  vigil = await startTestVigil();
  let host = '';
  mcp = createMcpRouter({
    pipeline: vigil.core.pipeline,
    tokens: vigil.core.config.auth,
    logger: silentLogger,
    allowedHosts: () => new Set([host]),
    allowedOrigins: () => new Set(),
    maxSessions: 2,
    sessionIdleMs: 1000,
    now: () => clock,
    every: (_ms, run) => {
      sweep = run;
      return () => undefined;
    },
  });
  const app = express();
  app.use('/mcp', mcp.router);
  server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  url = `http://${host}/mcp`;
});
afterAll(async () => {
  await mcp.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await vigil.close();
});

async function post(
  body: unknown,
  sessionId?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; sessionId: string | null; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${vigil.core.config.auth.assistantToken}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(sessionId ? { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, sessionId: res.headers.get('mcp-session-id'), text: await res.text() };
}

const initialize = () =>
  post({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'abandoning-client', version: '1' },
    },
  });
const ping = (sessionId: string) => post({ jsonrpc: '2.0', method: 'notifications/initialized' }, sessionId);

describe('MCP session table', () => {
  it('evicts sessions abandoned without DELETE once the table is full, and keeps the recently used ones', async () => {
    clock = 0;
    const a = await initialize();
    const b = await initialize();
    expect([a.status, b.status]).toEqual([200, 200]);
    const refused = await initialize();
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.text).error.message).toMatch(/server\.mcpSessions\.max is 2/);

    clock = 500;
    expect((await ping(b.sessionId!)).status).toBe(202);
    clock = 1200;
    const c = await initialize();
    expect(c.status).toBe(200);
    expect(mcp.sessionCount()).toBe(2);
    expect((await ping(a.sessionId!)).status).toBe(404);
    expect((await ping(b.sessionId!)).status).toBe(202);
    expect((await ping(c.sessionId!)).status).toBe(202);
  });

  it('closes sessions idle for longer than the timeout on each sweep, before the table is full', async () => {
    clock = 5000;
    sweep();
    const before = mcp.sessionCount();
    expect(before).toBe(0);
    const idle = (await initialize()).sessionId!;
    clock = 5900;
    const fresh = (await initialize()).sessionId!;
    expect(mcp.sessionCount()).toBe(before + 2);
    clock = 6500;
    sweep();
    await expect.poll(() => mcp.sessionCount()).toBe(before + 1);
    expect((await ping(idle)).status).toBe(404);
    expect((await ping(fresh)).status).toBe(202);
  });

  it('never evicts a session whose GET stream is open, however long ago it was opened', async () => {
    clock = 10_000;
    const sessions = [(await initialize()).sessionId!, (await initialize()).sessionId!];
    const streams = new AbortController();
    for (const id of sessions) {
      const res = await fetch(url, {
        headers: {
          authorization: `Bearer ${vigil.core.config.auth.assistantToken}`,
          accept: 'text/event-stream',
          'mcp-session-id': id,
          'mcp-protocol-version': '2025-06-18',
        },
        signal: streams.signal,
      });
      expect(res.status).toBe(200);
    }
    clock = 100_000;
    expect((await initialize()).status).toBe(503);
    streams.abort();
  });

  it('serves 2026-07-28 requests, which keep no session, while the table is full', async () => {
    clock = 300_000;
    await initialize();
    await initialize();
    expect((await initialize()).status).toBe(503);
    const meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': {},
      'io.modelcontextprotocol/clientInfo': { name: 'modern', version: '1' },
    };
    const modern = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: meta } }, undefined, {
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/list',
    });
    expect(modern.status).toBe(200);
    expect(modern.sessionId).toBeNull();
    expect(JSON.parse(modern.text).result.tools.length).toBeGreaterThan(0);
  });
});
