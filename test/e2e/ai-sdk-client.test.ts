// Pins what the Vercel AI SDK's MCP client (@ai-sdk/mcp 1.x, revision 2025-11-25) sees over Streamable HTTP and over stdio (`node dist/cli.js mcp`): tools with output schemas, a green call's data, and invalid arguments as text the model reads instead of a throw.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createMCPClient, type MCPClient } from '@ai-sdk/mcp';
import { Experimental_StdioMCPTransport } from '@ai-sdk/mcp/mcp-stdio';
import { startTestVigil, type TestVigil } from '../helpers/vigil.js';

const ROOT = join(import.meta.dirname, '..', '..');

let vigil: TestVigil;
const opened: MCPClient[] = [];

beforeAll(async () => {
  vigil = await startTestVigil();
});
afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
  await vigil?.close();
});

/** What an AI SDK tool hands the model for one result (its own toModelOutput). */
type ModelOutput = { type: string; value: { type: string; text?: string }[] };

const transports: Record<string, () => Promise<MCPClient>> = {
  'Streamable HTTP': () =>
    createMCPClient({
      transport: {
        type: 'http',
        url: `${vigil.url}/mcp`,
        headers: { Authorization: `Bearer ${vigil.assistantToken}` },
      },
    }),
  // The built CLI, as a desktop app would start it: run `npm run build` before this file.
  stdio: () =>
    createMCPClient({
      transport: new Experimental_StdioMCPTransport({
        command: process.execPath,
        args: [join(ROOT, 'dist', 'cli.js'), 'mcp', '--config', vigil.configFile],
        cwd: ROOT,
        stderr: 'ignore',
      }),
    }),
};

for (const [label, connect] of Object.entries(transports)) {
  describe(`AI SDK MCP client over ${label}`, () => {
    let client: MCPClient;
    beforeAll(async () => {
      client = await connect();
      opened.push(client);
    }, 30_000);

    it('lists tools with output schemas and hints', async () => {
      expect(client.serverInfo).toMatchObject({ name: 'vigil' });
      const { tools } = await client.listTools();
      const byName = new Map(tools.map((t) => [t.name, t]));
      expect(byName.get('get_monitor_status')).toMatchObject({
        outputSchema: { type: 'object' },
        annotations: { readOnlyHint: true, idempotentHint: true },
      });
      expect(byName.get('start_guest')).toMatchObject({
        outputSchema: { type: 'object', anyOf: expect.any(Array) },
        annotations: { readOnlyHint: false, idempotentHint: true },
      });
      expect(tools.every((t) => t.outputSchema !== undefined)).toBe(true);
    });

    it('calls a green tool through the AI SDK tool and gets its data', async () => {
      const tools = await client.tools();
      const result = (await tools.get_monitor_status!.execute!({}, { toolCallId: 'c1', messages: [] })) as {
        isError?: boolean;
        structuredContent?: Record<string, unknown>;
      };
      expect(result.isError).toBe(false);
      expect(result.structuredContent).toBeTypeOf('object');
    });

    it('hands invalid arguments back as text the model reads, not a throw', async () => {
      const tools = await client.tools();
      const tool = tools.get_node_status!;
      const result = await tool.execute!({ node: 5 }, { toolCallId: 'c2', messages: [] });
      expect(result).toMatchObject({ isError: true });
      const toModel = tool.toModelOutput as unknown as (o: {
        toolCallId: string;
        input: unknown;
        output: unknown;
      }) => ModelOutput | Promise<ModelOutput>;
      const output = await toModel({ toolCallId: 'c2', input: { node: 5 }, output: result });
      expect(output.value[0]?.text).toBe(
        'invalid arguments: node: Invalid input: expected string, received number\n' +
          'Fix: call get_node_status again with only these arguments: node (string, required).',
      );
      expect((await vigil.core.stores.audit.list({ limit: 1 }))[0]).toMatchObject({
        tool: 'get_node_status',
        decision: 'invalid',
      });
    });
  });
}
