// Pins where requests go: only Socket.IO's own path (polling, WebSocket upgrades, the client script) reaches engine.io; MCP, API and dashboard requests never do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { io } from 'socket.io-client';
import { startTestVigil, type TestVigil } from '../helpers/vigil.js';

let vigil: TestVigil;
/** Every URL that reached Socket.IO's own server, requests and upgrades alike. */
const reached: string[] = [];

beforeAll(async () => {
  vigil = await startTestVigil();
  const own = vigil.http.events.io.httpServer;
  own.on('request', (req: { url?: string }) => reached.push(req.url ?? ''));
  own.on('upgrade', (req: { url?: string }) => reached.push(req.url ?? ''));
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
  it('attaches Socket.IO to a server of its own, not the daemon listening socket', () => {
    expect(vigil.http.events.io.httpServer).not.toBe(vigil.http.server);
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

  it('serves the client script and the /events stream over polling and WebSocket through its path', async () => {
    reached.length = 0;
    const script = await fetch(`${vigil.url}/socket.io/socket.io.min.js`);
    expect(script.status).toBe(200);
    for (const transports of [['polling'], ['websocket']] as const) {
      const socket = io(`${vigil.url}/events`, { auth: { token: vigil.operatorToken }, transports: [...transports] });
      const ready = await new Promise<unknown>((resolve, reject) => {
        socket.once('ready', resolve);
        socket.once('connect_error', reject);
      });
      socket.close();
      expect(ready).toMatchObject({ replayed: 0 });
    }
    expect(reached.length).toBeGreaterThan(2);
    expect(reached.every((url) => url.startsWith('/socket.io/'))).toBe(true);
  });
});
