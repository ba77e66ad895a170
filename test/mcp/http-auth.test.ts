// Pins /mcp access control: bearer assistant token only (operator token refused), Host and Origin checked against DNS rebinding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { startTestVigil, type TestVigil } from '../helpers/vigil.js';

let vigil: TestVigil;
beforeAll(async () => {
  vigil = await startTestVigil();
});
afterAll(async () => vigil.close());

const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

/** A raw POST /mcp, so headers like Host can be set freely. */
function post(
  headers: Record<string, string>,
  body: string = JSON.stringify(INIT),
): Promise<{ status: number; body: string }> {
  const url = new URL(`${vigil.url}/mcp`);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: '/mcp',
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('/mcp authentication', () => {
  it('refuses a missing token with 401', async () => {
    const res = await post({});
    expect(res.status).toBe(401);
    expect(res.body).toMatch(/missing or invalid bearer token/);
  });
  it('refuses a wrong token with 401', async () => {
    expect((await post({ authorization: 'Bearer not-the-token-at-all' })).status).toBe(401);
  });
  it('refuses the operator token with 401', async () => {
    const res = await post({ authorization: `Bearer ${vigil.operatorToken}` });
    expect(res.status).toBe(401);
    expect(res.body).toMatch(/operator token cannot be used for MCP/);
  });
  it('accepts the assistant token', async () => {
    expect((await post({ authorization: `Bearer ${vigil.assistantToken}` })).status).toBe(200);
  });
  it('refuses a foreign Host header (DNS rebinding) with 403', async () => {
    const res = await post({ authorization: `Bearer ${vigil.assistantToken}`, host: 'evil.example:80' });
    expect(res.status).toBe(403);
    expect(res.body).toMatch(/server.allowedHosts/);
  });
  it('refuses a foreign Origin with 403 and accepts its own', async () => {
    const bad = await post({ authorization: `Bearer ${vigil.assistantToken}`, origin: 'http://evil.example' });
    expect(bad.status).toBe(403);
    const own = await post({ authorization: `Bearer ${vigil.assistantToken}`, origin: vigil.url });
    expect(own.status).toBe(200);
  });
  it('answers a body that is not JSON with a JSON-RPC parse error', async () => {
    const res = await post({ authorization: `Bearer ${vigil.assistantToken}` }, '{"jsonrpc": "2.0", ');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({
      jsonrpc: '2.0',
      error: { code: -32700, message: expect.stringMatching(/^Parse error/) },
      id: null,
    });
  });
});
