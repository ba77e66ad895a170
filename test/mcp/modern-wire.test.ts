// Pins the 2026-07-28 wire of /mcp with plain fetch: server/discover, the per-request _meta envelope and the MCP-Protocol-Version, Mcp-Method and Mcp-Name headers, no session, and the spec's errors for an unsupported revision, disagreeing headers or a forged requestState.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestVigil, type TestVigil } from '../helpers/vigil.js';

let vigil: TestVigil;
beforeAll(async () => {
  vigil = await startTestVigil();
});
afterAll(async () => vigil.close());

const REVISION = '2026-07-28';
const envelope = (version = REVISION) => ({
  'io.modelcontextprotocol/protocolVersion': version,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'raw-fetch', version: '1' },
});

async function post(method: string, params: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await fetch(`${vigil.url}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${vigil.assistantToken}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': REVISION,
      'mcp-method': method,
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method, params }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests index into the JSON-RPC answer
  return { status: res.status, session: res.headers.get('mcp-session-id'), body: (await res.json()) as any };
}

describe('the 2026-07-28 wire', () => {
  it('answers server/discover with the revision, the capabilities and who the server is, without a session', async () => {
    const { status, session, body } = await post('server/discover', { _meta: envelope() });
    expect(status).toBe(200);
    expect(session).toBeNull();
    expect(body.result.supportedVersions).toContain(REVISION);
    expect(body.result.capabilities).toMatchObject({
      tools: {},
      resources: { subscribe: true, listChanged: true },
      prompts: {},
    });
    expect(body.result._meta['io.modelcontextprotocol/serverInfo']).toMatchObject({ name: 'vigil' });
  });

  it('serves tools/call with Mcp-Name and the envelope, and audits it under the clientInfo name', async () => {
    const { status, body } = await post(
      'tools/call',
      { name: 'get_events', arguments: {}, _meta: envelope() },
      { 'mcp-name': 'get_events' },
    );
    expect(status).toBe(200);
    expect(body.result.resultType).toBe('complete');
    expect(body.result.isError).toBeFalsy();
    const [row] = await vigil.core.stores.audit.list({ limit: 1 });
    expect(row).toMatchObject({ tool: 'get_events', callerId: 'raw-fetch', decision: 'allowed' });
  });

  it('refuses an unsupported revision with -32022, naming the supported ones', async () => {
    const { status, body } = await post(
      'tools/call',
      { name: 'get_events', arguments: {}, _meta: envelope('2099-01-01') },
      { 'mcp-protocol-version': '2099-01-01', 'mcp-name': 'get_events' },
    );
    expect(status).toBe(400);
    expect(body.error).toMatchObject({
      code: -32022,
      data: { requested: '2099-01-01', supported: expect.arrayContaining([REVISION]) },
    });
  });

  it('refuses headers that disagree with the body, and a request without its envelope', async () => {
    const name = await post(
      'tools/call',
      { name: 'get_events', arguments: {}, _meta: envelope() },
      { 'mcp-name': 'get_cluster_status' },
    );
    expect(name.status).toBe(400);
    expect(name.body.error.message).toMatch(/Mcp-Name/);
    const method = await post('tools/list', { _meta: envelope() }, { 'mcp-method': 'tools/call' });
    expect(method.status).toBe(400);
    expect(method.body.error.message).toMatch(/Mcp-Method/);
    const bare = await post('tools/list', {});
    expect(bare.status).toBe(400);
    expect(bare.body.error).toMatchObject({ code: -32602 });
  });

  it('refuses a retry whose requestState vigil did not sign', async () => {
    const { body } = await post(
      'tools/call',
      {
        name: 'get_events',
        arguments: {},
        requestState: 'eyJhcHByb3ZhbElkIjoiYXByX2ZvcmdlZCJ9',
        inputResponses: { approval: { action: 'accept' } },
        _meta: { ...envelope(), 'io.modelcontextprotocol/clientCapabilities': { elicitation: { url: {} } } },
      },
      { 'mcp-name': 'get_events' },
    );
    expect(body.error).toMatchObject({ code: -32602, message: 'Invalid or expired requestState' });
  });

  it('keeps the bearer token, Host and Origin checks in front of 2026-07-28 requests', async () => {
    const noToken = await fetch(`${vigil.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'mcp-protocol-version': REVISION, 'mcp-method': 'tools/list' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: envelope() } }),
    });
    expect(noToken.status).toBe(401);
    const origin = await post('tools/list', { _meta: envelope() }, { origin: 'https://evil.example' });
    expect(origin.status).toBe(403);
  });
});
