// Pins defineTool's typing: a handler's data must have the types its output schema declares (tsc checks the @ts-expect-error lines), and toolData reads a result typed.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool, toolData } from '../../src/mcp/tool.js';

const output = z.object({ node: z.string(), freedBytes: z.number().describe('bytes freed') });

const base = {
  name: 'test_typed',
  title: 'Typed',
  description: 'returns typed data',
  tier: 'green',
  kind: 'infra',
  input: z.object({ node: z.string() }),
  output,
  target: (a: { node: string }) => ({ node: a.node }),
  plan: (a: { node: string }) => `measure ${a.node}`,
} as const;

const typed = defineTool({
  ...base,
  async handler(a) {
    return { text: a.node, data: { node: a.node, freedBytes: 42 } };
  },
});

describe('defineTool', () => {
  it('rejects, at typecheck, data with a field of the wrong type or a field missing', () => {
    const wrongType = defineTool({
      ...base,
      // @ts-expect-error freedBytes must be a number
      async handler(a) {
        return { text: a.node, data: { node: a.node, freedBytes: 'many' } };
      },
    });
    const missing = defineTool({
      ...base,
      // @ts-expect-error freedBytes is required
      async handler(a) {
        return { text: a.node, data: { node: a.node } };
      },
    });
    expect(wrongType.output.safeParse({ node: 'pve1', freedBytes: 'many' }).success).toBe(false);
    expect(missing.output.safeParse({ node: 'pve1' }).success).toBe(false);
  });

  it('keeps the output type, so toolData reads typed fields of a success and nothing of other data', () => {
    const data = toolData(typed, { node: 'pve1', freedBytes: 42 });
    const freed: number | undefined = data?.freedBytes;
    expect(freed).toBe(42);
    expect(toolData(typed, { status: 'pending_approval', approvalId: 'apr_123456' })).toBeUndefined();
    expect(toolData(typed, undefined)).toBeUndefined();
  });
});
