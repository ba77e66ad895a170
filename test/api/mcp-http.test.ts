// Pins the /mcp session table: a full table refuses new sessions with 503 unless some are idle, and idle ones (never busy ones) then make room.
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

async function post(body: unknown, sessionId?: string): Promise<{ status: number; sessionId: string | null }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${vigil.core.config.auth.assistantToken}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(sessionId ? { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' } : {}),
    },
    body: JSON.stringify(body),
  });
  await res.text();
  return { status: res.status, sessionId: res.headers.get('mcp-session-id') };
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
    expect((await initialize()).status).toBe(503);

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
});
