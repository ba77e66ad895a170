// Pins every tool's output schema against the lab: each tool in allTools() runs through executeTool (real clients, real SSH, real SQLite) and its data parses with its schema and holds no undeclared field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab/index.js';
import type { Caller } from '../../src/contracts/tiers.js';
import { allTools } from '../../src/mcp/tools/index.js';
import { expectOutputOf } from '../helpers/outputs.js';
import { startFastLab, startLabVigil, type LabVigil } from './tools-lab.js';
import { toolSteps as steps } from './tool-steps.js';

const operator: Caller = { kind: 'operator', id: 'outputs-test' };
type Data = Record<string, unknown>;

describe('every tool returns data of its output schema', () => {
  let lab: Lab;
  let lv: LabVigil;
  const seen = new Map<string, Data>();

  beforeAll(async () => {
    lab = await startFastLab();
    lv = await startLabVigil(lab);
    // A red call from the assistant without elicitation files an approval for approve_action to decide.
    const pending = await lv.vigil.core.pipeline.executeTool(
      'stop_guest',
      { node: 'pve2', vmid: 102 },
      { kind: 'assistant', id: 'outputs-test', sessionId: 'outputs-session' },
    );
    expect(pending).toMatchObject({ kind: 'result', decision: 'pending' });
    if (pending.kind === 'result') seen.set('pending approval', pending.data as Data);
  });
  afterAll(async () => {
    await lv?.close();
    await lab?.close();
  });

  it('has a step for every tool in the catalogue', () => {
    const stepped = new Set(steps.map((s) => s.tool));
    const missing = allTools()
      .filter((t) => !stepped.has(t.name))
      .map((t) => t.name);
    expect(missing, 'tools without a step here: add one that calls each successfully').toEqual([]);
  });

  it('describes every output as JSON Schema (what tools/list will publish as outputSchema)', () => {
    for (const tool of allTools()) {
      const schema = tool.output.toJSONSchema({ io: 'output' });
      expect(schema, tool.name).toMatchObject({ type: 'object' });
    }
  });

  for (const step of steps) {
    it(
      step.label,
      async () => {
        const tool = allTools().find((t) => t.name === step.tool);
        expect(tool, `${step.tool} is in the catalogue`).toBeDefined();
        const r = await lv.vigil.core.pipeline.executeTool(step.tool, step.args(seen), operator);
        expect(r.kind === 'result' ? { decision: r.decision, outcome: r.outcome, text: r.text } : r).toMatchObject({
          decision: 'allowed',
          outcome: 'ok',
        });
        if (r.kind !== 'result') return;
        seen.set(step.label, r.data as Data);
        expectOutputOf(tool!, r.data);
      },
      30_000,
    );
  }
});
