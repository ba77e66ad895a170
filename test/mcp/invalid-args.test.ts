// Pins SEP-1303 through a real SDK client: arguments a tool's schema refuses are an isError result naming the field and the fix (one audit row, decision invalid); an unknown tool stays -32602 with its prefix once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestVigil, textOf, type TestVigil } from '../helpers/vigil.js';

let vigil: TestVigil;
let client: Client;

beforeAll(async () => {
  vigil = await startTestVigil();
  client = await vigil.connect({ name: 'invalid-args-test' });
});
afterAll(async () => {
  await vigil?.close();
});

/** Calls a tool and returns its result with the one audit row it wrote. */
async function callOnce(name: string, args: Record<string, unknown>) {
  const before = vigil.core.stores.audit.count();
  const result = await client.callTool({ name, arguments: args });
  expect(vigil.core.stores.audit.count() - before, `audit rows written by ${name}`).toBe(1);
  return { result, audit: vigil.core.stores.audit.list({ limit: 1 })[0]! };
}

describe('invalid arguments are a tool result the model reads', () => {
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
    const before = vigil.core.stores.audit.count();
    const err = await client.callTool({ name: 'no_such_tool', arguments: {} }).then(
      () => null,
      (e: unknown) => e as { code?: number; message?: string },
    );
    expect(err).toMatchObject({
      code: -32602,
      message: 'MCP error -32602: unknown tool "no_such_tool"; call tools/list for the available tools',
    });
    expect(vigil.core.stores.audit.count() - before).toBe(1);
    expect(vigil.core.stores.audit.list({ limit: 1 })[0]).toMatchObject({ decision: 'unknown_tool' });
  });
});
