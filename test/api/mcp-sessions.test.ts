// Pins that MCP session ids cannot be borrowed: no tool output or event reveals one, and a request naming a session with another credential is refused and audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startTestVigil, textOf, type TestVigil } from '../helpers/vigil.js';
import { runs, toolsWithTestTools } from '../helpers/tools.js';
import { SESSION_AUDIT_TOOL } from '../../src/api/mcp-http.js';

let vigil: TestVigil;

beforeAll(async () => {
  vigil = await startTestVigil({ tools: toolsWithTestTools() });
});
afterAll(async () => vigil.close());

/** The session id the server assigned to a connected SDK client. */
function sessionOf(client: Client): string {
  const id = (client.transport as StreamableHTTPClientTransport).sessionId;
  if (!id) throw new Error('client has no session');
  return id;
}

async function rawPost(sessionId: string, token: string, body: unknown) {
  const res = await fetch(`${vigil.url}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': sessionId,
      'mcp-protocol-version': '2025-06-18',
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

describe('MCP sessions nobody can borrow', () => {
  it("never shows one client another client's session id (audit log, events, status)", async () => {
    const alice = await vigil.connect({ name: 'alice' });
    const bob = await vigil.connect({ name: 'bob' });
    const pending = await alice.callTool({ name: 'test_smash', arguments: { node: 'pve1', vmid: 201 } });
    const { approvalId } = pending.structuredContent as { approvalId: string };
    expect((await vigil.api('POST', `/api/approvals/${approvalId}/approve`)).status).toBe(200);
    await alice.callTool({ name: 'test_echo', arguments: { text: 'x' } });

    const aliceSession = sessionOf(alice);
    for (const [name, args] of [
      ['get_audit_log', { limit: 500 }],
      ['get_events', { limit: 500 }],
      ['get_monitor_status', {}],
      ['get_incidents', {}],
    ] as const) {
      const result = await bob.callTool({ name, arguments: args });
      expect({ name, leaked: JSON.stringify(result).includes(aliceSession) }).toEqual({ name, leaked: false });
    }
    // The audit log still records the session (for operators), it just never reaches an assistant.
    expect(JSON.stringify(await vigil.core.stores.audit.list({ limit: 50 }))).toContain(aliceSession);

    // Approvals are bound to the requester's identity (eec4558), not to a session: the session id
    // is no longer what an approval hangs on, and it never reaches another client either way.
    expect(runs.get('test_smash')).toBeUndefined();
  });

  it('refuses and audits a request naming a live session with another credential', async () => {
    const alice = await vigil.connect({ name: 'alice' });
    const session = sessionOf(alice);
    const call = { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'test_echo', arguments: {} } };
    const before = await vigil.core.stores.audit.count();

    for (const token of [vigil.operatorToken, 'not-a-token']) {
      const refused = await rawPost(session, token, call);
      expect(refused.status).toBe(401);
      expect(refused.text).not.toContain('"result"');
    }
    // An SDK client carrying the stolen session id with the operator token gets nowhere either.
    const thief = new StreamableHTTPClientTransport(new URL(`${vigil.url}/mcp`), {
      sessionId: session,
      requestInit: { headers: { Authorization: `Bearer ${vigil.operatorToken}` } },
    });
    await thief.start();
    await expect(thief.send({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} })).rejects.toThrow(
      /operator token cannot be used for MCP/,
    );
    await thief.close();

    const refusals = (await vigil.core.stores.audit.list({ limit: 10, tool: SESSION_AUDIT_TOOL })).filter(
      (r) => r.sessionId === session,
    );
    expect((await vigil.core.stores.audit.count()) - before).toBe(3);
    expect(refusals).toHaveLength(3);
    // Newest first: the SDK thief, the invalid token, the operator token.
    expect(refusals.map((r) => r.callerId)).toEqual([
      'operator token',
      'an invalid or missing token',
      'operator token',
    ]);
    for (const r of refusals) expect(r).toMatchObject({ decision: 'blocked', outcome: 'not_run', tool: 'mcp_session' });
    expect(refusals[0]!.error).toMatch(/opened by another client; refused a POST/);

    // The rightful owner's session still works.
    expect(textOf(await alice.callTool({ name: 'test_echo', arguments: { text: 'still mine' } }))).toBe('still mine');
    expect((await vigil.core.stores.audit.verify()).ok).toBe(true);
  });
});
