// Pins where requests go: only Socket.IO's own path (polling, WebSocket upgrades, the client script) reaches engine.io, which is created by the first such request; MCP, API and dashboard requests never do; events other processes store reach the bus before any client connects.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { request } from 'node:http';
import { io } from 'socket.io-client';
import { startTestVigil, type TestVigil } from '../helpers/vigil.js';
import { openDatabase } from '../../src/db/database.js';
import { createEventStore } from '../../src/db/events.js';
import type { VigilEvent } from '../../src/contracts/events.js';

let vigil: TestVigil;
/** Every URL that reached Socket.IO's own server, requests and upgrades alike. */
const reached: string[] = [];

beforeAll(async () => {
  vigil = await startTestVigil();
});
afterAll(async () => {
  await vigil.close();
});

/** Sends an upgrade request for `path` and resolves with how it ended: upgraded, or the socket closed. */
function upgrade(path: string): Promise<'upgraded' | 'closed'> {
  return new Promise((resolve) => {
    const req = request(`${vigil.url}${path}`, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve('upgraded');
    });
    req.on('error', () => resolve('closed'));
    req.on('close', () => resolve('closed'));
    req.end();
  });
}

describe('request routing around Socket.IO', () => {
  it('picks up events another process stores before any client connects, without creating Socket.IO', async () => {
    const seen: VigilEvent[] = [];
    const unsubscribe = vigil.core.bus.subscribe((event) => seen.push(event));
    const db = openDatabase(vigil.core.config.database.path);
    try {
      createEventStore(db).append(
        { type: 'tool.executed', severity: 'info', title: 'from vigil mcp', message: '' },
        Date.now(),
      );
      await vi.waitFor(() => expect(seen.map((e) => e.title)).toContain('from vigil mcp'), { timeout: 10_000 });
    } finally {
      unsubscribe();
      db.close();
    }
    expect(vigil.http.events.created()).toBeUndefined();
  });

  it('creates Socket.IO on the first request under its path, on a server of its own', async () => {
    await fetch(`${vigil.url}/healthz`);
    await fetch(`${vigil.url}/mcp`, { method: 'POST', body: '{}' });
    expect(vigil.http.events.created()).toBeUndefined();
    const script = await fetch(`${vigil.url}/socket.io/socket.io.min.js`);
    expect(script.status).toBe(200);
    const own = vigil.http.events.created()?.io.httpServer;
    expect(own).toBeDefined();
    expect(own).not.toBe(vigil.http.server);
    own!.on('request', (req: { url?: string }) => reached.push(req.url ?? ''));
    own!.on('upgrade', (req: { url?: string }) => reached.push(req.url ?? ''));
  });

  it('never hands MCP, API, dashboard or unknown requests to Socket.IO', async () => {
    reached.length = 0;
    await fetch(`${vigil.url}/healthz`);
    await fetch(`${vigil.url}/mcp`, { method: 'POST', body: '{}' });
    await vigil.api('GET', '/api/status');
    await fetch(`${vigil.url}/`);
    await fetch(`${vigil.url}/nothing-here`);
    await fetch(`${vigil.url}/socket.io.js`);
    expect(await upgrade('/mcp')).toBe('closed');
    expect(reached).toEqual([]);
  });

  it('serves the /events stream over polling and WebSocket through its path', async () => {
    reached.length = 0;
    for (const transports of [['polling'], ['websocket']] as const) {
      const socket = io(`${vigil.url}/events`, { auth: { token: vigil.operatorToken }, transports: [...transports] });
      const ready = await new Promise<unknown>((resolve, reject) => {
        socket.once('ready', resolve);
        socket.once('connect_error', reject);
      });
      socket.close();
      expect(ready).toMatchObject({ replayed: 0 });
    }
    expect(reached.length).toBeGreaterThan(1);
    expect(reached.every((url) => url.startsWith('/socket.io/'))).toBe(true);
  });
});

describe('a WebSocket upgrade as the first Socket.IO request', () => {
  it('creates the stream and connects', async () => {
    const fresh = await startTestVigil();
    try {
      expect(fresh.http.events.created()).toBeUndefined();
      const socket = io(`${fresh.url}/events`, { auth: { token: fresh.operatorToken }, transports: ['websocket'] });
      const ready = await new Promise<unknown>((resolve, reject) => {
        socket.once('ready', resolve);
        socket.once('connect_error', reject);
      });
      expect(fresh.http.events.clients()).toBe(1);
      socket.close();
      expect(ready).toMatchObject({ replayed: 0, recovered: false });
    } finally {
      await fresh.close();
    }
  });
});
