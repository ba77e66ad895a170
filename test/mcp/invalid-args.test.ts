// Pins SEP-1303 through a real SDK client at revisions 2025-11-25 and 2025-06-18: arguments a tool's schema refuses are an isError result naming the field and the fix (one audit row, decision invalid); an unknown tool stays -32602 with its prefix once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { startTestVigil, textOf, type TestVigil } from '../helpers/vigil.js';

let vigil: TestVigil;
let client: Client;
const opened: Client[] = [];

beforeAll(async () => {
  vigil = await startTestVigil();
});
afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
  await vigil?.close();
});

/** An SDK client that asks for `revision` in initialize (the SDK itself always asks for its latest). */
async function connectAt(revision: string): Promise<{ client: Client; negotiated: string | undefined }> {
  const transport = new StreamableHTTPClientTransport(new URL(`${vigil.url}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${vigil.assistantToken}` } },
  });
  const send = transport.send.bind(transport);
  transport.send = (message: JSONRPCMessage, options) =>
    send(
      'method' in message && message.method === 'initialize'
        ? { ...message, params: { ...message.params, protocolVersion: revision } }
        : message,
      options,
    );
  const c = new Client({ name: `invalid-args-${revision}`, version: '1.0.0' });
  await c.connect(transport);
  opened.push(c);
  return { client: c, negotiated: transport.protocolVersion };
}

/** Calls a tool and returns its result with the one audit row it wrote. */
async function callOnce(name: string, args: Record<string, unknown>) {
  const before = await vigil.core.stores.audit.count();
  const result = await client.callTool({ name, arguments: args });
  expect((await vigil.core.stores.audit.count()) - before, `audit rows written by ${name}`).toBe(1);
  return { result, audit: (await vigil.core.stores.audit.list({ limit: 1 }))[0]! };
}

for (const revision of ['2025-11-25', '2025-06-18'])
  describe(`invalid arguments at revision ${revision}`, () => {
    beforeAll(async () => {
      const connected = await connectAt(revision);
      expect(connected.negotiated).toBe(revision);
      client = connected.client;
    });

    it('tools/list declares outputSchema and idempotentHint', async () => {
      const { tools } = await client.listTools();
      expect(tools.find((t) => t.name === 'get_node_status')).toMatchObject({
        outputSchema: { type: 'object' },
        annotations: { idempotentHint: true },
      });
    });

    const cases: { label: string; tool: string; args: Record<string, unknown>; text: string }[] = [
      {
        label: 'a wrong type',
        tool: 'get_node_status',
        args: { node: 5 },
        text:
          'invalid arguments: node: Invalid input: expected string, received number\n' +
          'Fix: call get_node_status again with only these arguments: node (string, required).',
      },
      {
        label: 'an unknown key',
        tool: 'list_guests',
        args: { nodes: 'pve1' },
        text: 'invalid arguments: Unrecognized key: "nodes"\nFix: call list_guests again with only these arguments: ',
      },
      {
        label: 'a missing required field',
        tool: 'get_guest_status',
        args: { node: 'pve1' },
        text: 'invalid arguments: vmid: ',
      },
      {
        label: 'an approval_id that is not a string',
        tool: 'stop_guest',
        args: { node: 'pve1', vmid: 100, approval_id: 42 },
        text: 'invalid arguments: approval_id: expected a string\nFix: call stop_guest again with only these arguments: node (string, required); vmid (integer, required); approval_id (string).',
      },
    ];

    for (const c of cases) {
      it(c.label, async () => {
        const { result, audit } = await callOnce(c.tool, c.args);
        expect(result.isError).toBe(true);
        expect(result.structuredContent).toBeUndefined();
        expect(textOf(result).startsWith(c.text), textOf(result)).toBe(true);
        expect(textOf(result)).not.toMatch(/MCP error/);
        expect(audit).toMatchObject({ tool: c.tool, decision: 'invalid', outcome: 'not_run' });
      });
    }

    it('an unknown tool stays a protocol error, its prefix once', async () => {
      const before = await vigil.core.stores.audit.count();
      const err = await client.callTool({ name: 'no_such_tool', arguments: {} }).then(
        () => null,
        (e: unknown) => e as { code?: number; message?: string },
      );
      expect(err).toMatchObject({
        code: -32602,
        message: 'MCP error -32602: unknown tool "no_such_tool"; call tools/list for the available tools',
      });
      expect((await vigil.core.stores.audit.count()) - before).toBe(1);
      expect((await vigil.core.stores.audit.list({ limit: 1 }))[0]).toMatchObject({ decision: 'unknown_tool' });
    });
  });
