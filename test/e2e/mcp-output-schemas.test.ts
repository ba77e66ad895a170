// Pins outputSchema through a real SDK client against the lab: every tool's structuredContent validates (Ajv, as clients do) against the outputSchema tools/list declares, for successes, pending approvals and dry runs; errors carry none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { Lab } from '../../src/lab/index.js';
import { allTools } from '../../src/mcp/tools/index.js';
import { callTier } from '../../src/mcp/tool.js';
import { startTestVigil, textOf } from '../helpers/vigil.js';
import { call, confirmingClient, startFastLab, startLabVigil, type LabVigil } from './tools-lab.js';
import { toolSteps } from './tool-steps.js';

type Data = Record<string, unknown>;
const ajv = new AjvJsonSchemaValidator();

/** Validates structuredContent against a listed tool's outputSchema, as the SDK client does. */
function expectMatches(tool: Tool, data: unknown): void {
  expect(tool.outputSchema, `${tool.name} declares an outputSchema`).toBeDefined();
  const check = ajv.getValidator(tool.outputSchema as Parameters<typeof ajv.getValidator>[0])(data);
  expect(check.valid, `${tool.name}: ${check.errorMessage ?? ''}`).toBe(true);
}

let lab: Lab;
let lv: LabVigil;
let confirming: Client;
let asking: Client;
const listed = new Map<string, Tool>();

beforeAll(async () => {
  lab = await startFastLab();
  lv = await startLabVigil(lab);
  confirming = (await confirmingClient(lv.vigil)).client;
  asking = await lv.vigil.connect({ name: 'no-elicitation' });
  // Listing first makes the SDK client itself check every later result against its outputSchema.
  for (const tool of (await confirming.listTools()).tools) listed.set(tool.name, tool);
  await asking.listTools();
}, 60_000);
afterAll(async () => {
  await lv?.close();
  await lab?.close();
});

describe('outputSchema through a real SDK client', () => {
  it('lists an object outputSchema for every tool the assistant sees; the rest are operator-only', () => {
    for (const tool of allTools()) {
      const entry = listed.get(tool.name);
      if (!entry) {
        expect(tool.callers, `${tool.name} is hidden from the assistant`).not.toContain('assistant');
        continue;
      }
      expect(entry.outputSchema, tool.name).toMatchObject({ type: 'object' });
    }
  });

  it('pending approvals of red calls match their tool outputSchema', async () => {
    const red = toolSteps.filter((s) => {
      const tool = allTools().find((t) => t.name === s.tool)!;
      const args = s.args(new Map());
      // Steps that read an earlier step's data (end_silence's id) are left out: they have no args yet.
      const complete = Object.values(args).every((v) => v !== undefined);
      return listed.has(s.tool) && complete && callTier(tool, args) === 'red';
    });
    const firstPerTool = red.filter((s, i) => red.findIndex((o) => o.tool === s.tool) === i);
    expect(firstPerTool.length).toBeGreaterThan(5);
    for (const step of firstPerTool) {
      const r = await call(lv.vigil, asking, step.tool, step.args(new Map()));
      expect(r.audit, step.label).toMatchObject({ decision: 'pending', outcome: 'not_run' });
      expect(r.isError).toBe(false);
      expect(r.data.status).toBe('pending_approval');
      expectMatches(listed.get(step.tool)!, r.data);
    }
  }, 60_000);

  describe('successful calls', () => {
    const seen = new Map<string, Data>();
    for (const step of toolSteps) {
      it(
        step.label,
        async () => {
          const tool = listed.get(step.tool);
          if (!tool) {
            // approve_action is the operator's; its data is checked through executeTool in tools-outputs.test.ts.
            expect(allTools().find((t) => t.name === step.tool)?.callers).not.toContain('assistant');
            return;
          }
          const r = await call(lv.vigil, confirming, step.tool, step.args(seen));
          expect(r.audit, r.text).toMatchObject({ decision: 'allowed', outcome: 'ok' });
          expect(r.isError).toBe(false);
          expectMatches(tool, r.data);
          seen.set(step.label, r.data);
        },
        30_000,
      );
    }
  });

  it('a refusal is isError without structuredContent', async () => {
    await call(lv.vigil, confirming, 'set_kill_switch', { active: true, scope: 'all', reason: 'schema test' });
    try {
      const r = await confirming.callTool({ name: 'start_guest', arguments: { node: 'pve1', vmid: 100 } });
      expect(r.isError).toBe(true);
      expect(r.structuredContent).toBeUndefined();
      expect(textOf(r)).toMatch(/kill switch/);
    } finally {
      await call(lv.vigil, confirming, 'set_kill_switch', { active: false });
    }
  }, 30_000);
});

describe('outputSchema under the global dry run', () => {
  it('a dry run matches the outputSchema of a yellow and of a red tool', async () => {
    const vigil = await startTestVigil({ safetyYaml: 'safety:\n  dryRun: true\n  confirmation: elicit' });
    try {
      const client = await vigil.connect({ elicit: () => ({ action: 'accept', content: { confirm: true } }) });
      const tools = new Map((await client.listTools()).tools.map((t) => [t.name, t]));
      for (const name of ['start_guest', 'stop_guest']) {
        const r = await client.callTool({ name, arguments: { node: 'pve1', vmid: 100 } });
        expect(r.isError, textOf(r)).toBe(false);
        expect(r.structuredContent).toMatchObject({ status: 'dry_run' });
        expectMatches(tools.get(name)!, r.structuredContent);
      }
    } finally {
      await vigil.close();
    }
  }, 30_000);
});
