/** No-op tools of every tier, for exercising the pipeline without infrastructure. */
import { z } from 'zod';
import { defineTool } from '../../src/mcp/tool.js';
import { ToolFailure } from '../../src/errors.js';
import { allTools } from '../../src/mcp/tools/index.js';

/** Counts how often each test tool's handler actually ran. */
export const runs = new Map<string, number>();
const ran = (name: string) => runs.set(name, (runs.get(name) ?? 0) + 1);

export const echo = defineTool({
  name: 'test_echo',
  title: 'Echo',
  description: 'green no-op',
  tier: 'green',
  kind: 'infra',
  input: z.object({ text: z.string().max(100).default('hi') }),
  output: z.object({ echoed: z.string() }),
  target: () => ({}),
  plan: (a) => `echo ${a.text}`,
  async handler(a) {
    ran('test_echo');
    return { text: a.text, data: { echoed: a.text } };
  },
});

export const poke = defineTool({
  name: 'test_poke',
  title: 'Poke',
  description: 'yellow no-op on a guest',
  tier: 'yellow',
  kind: 'infra',
  input: z.object({ node: z.string(), vmid: z.number().int() }),
  output: z.object({ poked: z.number().int() }),
  target: (a) => ({ node: a.node, vmid: a.vmid }),
  plan: (a) => `poke guest ${a.vmid} on ${a.node}`,
  async handler(a, ctx) {
    await ctx.assertMayAct();
    ran('test_poke');
    return { text: `poked ${a.vmid}`, data: { poked: a.vmid } };
  },
});

export const smash = defineTool({
  name: 'test_smash',
  title: 'Smash',
  description: 'red no-op on a guest',
  tier: 'red',
  kind: 'infra',
  input: z.object({ node: z.string(), vmid: z.number().int(), secretToken: z.string().optional() }),
  output: z.object({ smashed: z.number().int() }),
  target: (a) => ({ node: a.node, vmid: a.vmid }),
  plan: (a) => `smash guest ${a.vmid} on ${a.node}`,
  async handler(a, ctx) {
    await ctx.assertMayAct();
    ran('test_smash');
    return { text: `smashed ${a.vmid}`, data: { smashed: a.vmid } };
  },
});

export const slow = defineTool({
  name: 'test_slow',
  title: 'Slow',
  description: 'green tool that never finishes before its deadline',
  tier: 'green',
  kind: 'infra',
  timeoutMs: 50,
  input: z.object({}),
  output: z.object({}),
  target: () => ({}),
  plan: () => 'wait',
  handler: (_a, ctx) =>
    new Promise((_resolve, reject) => {
      ctx.signal.addEventListener('abort', () => reject(new Error('aborted')));
    }),
});

export const boom = defineTool({
  name: 'test_boom',
  title: 'Boom',
  description: 'green tool whose handler fails',
  tier: 'green',
  kind: 'infra',
  input: z.object({}),
  output: z.object({}),
  target: () => ({}),
  plan: () => 'fail',
  async handler() {
    throw new ToolFailure('failed to boom on pve1: VM is locked (backup)');
  },
});

/** The real catalogue plus the test tools. */
export function toolsWithTestTools() {
  return [...allTools(), echo, poke, smash, slow, boom];
}
