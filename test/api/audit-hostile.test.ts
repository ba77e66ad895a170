// Pins that hostile strings sent over Streamable HTTP (lone surrogates and NUL in clientInfo.name, the tool name and the arguments) leave audit rows that verify.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestVigil, type TestVigil } from '../helpers/vigil.js';

let vigil: TestVigil;
beforeAll(async () => {
  vigil = await startTestVigil();
});
afterAll(async () => vigil.close());

const HOSTILE = ['\ud800', '\udfff', 'a\u0000b', `x${'\ud83d'.repeat(3)}`, '__proto__'];

async function post(body: unknown, session?: string) {
  const res = await fetch(`${vigil.url}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${vigil.assistantToken}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(session ? { 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' } : {}),
    },
    // JSON.stringify escapes lone surrogates ("\ud800"), which is valid JSON a client may send.
    body: JSON.stringify(body),
  });
  await res.text();
  return res.headers.get('mcp-session-id') ?? '';
}

describe('hostile strings in the audit chain', () => {
  it('every call verifies, whatever clientInfo.name, tool name and arguments hold', async () => {
    for (const [i, s] of HOSTILE.entries()) {
      const session = await post({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: s, version: s } },
      });
      expect(session).not.toBe('');
      await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, session);
      const calls = [
        { name: 'get_monitor_status', arguments: { [s]: s } },
        { name: s, arguments: { x: s } },
        { name: 'get_audit_log', arguments: { tool: s, limit: 5 } },
      ];
      for (const [j, params] of calls.entries()) {
        await post({ jsonrpc: '2.0', id: 10 * i + j + 2, method: 'tools/call', params }, session);
      }
    }
    expect(await vigil.core.stores.audit.count()).toBe(HOSTILE.length * 3);
    expect(await vigil.core.stores.audit.verify()).toEqual({ ok: true, rows: HOSTILE.length * 3 });
  });
});
