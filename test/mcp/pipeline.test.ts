// Pins executeTool's typed answers: refusals and failures carry registry codes and the code (not the text) decides; a pending approval carries its id; the monitor's refusals go through the same record and publish steps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ToolDefinition } from '../../src/mcp/tool.js';
import { ToolFailure } from '../../src/errors.js';
import { killSwitchRefusal } from '../../src/safety/gate.js';
import { startTestVigil, type TestVigil } from '../helpers/vigil.js';
import { echo, toolsWithTestTools } from '../helpers/tools.js';

/** A yellow tool that fails with `failure`: the pipeline must judge it by its code alone. */
function failing(name: string, failure: () => ToolFailure): ToolDefinition {
  const tool = {
    name,
    title: name,
    description: 'yellow tool that fails',
    tier: 'yellow',
    kind: 'infra',
    input: z.object({}),
    output: z.object({}),
    target: () => ({ node: 'pve1' }),
    plan: () => `fail as ${name}`,
    async handler() {
      throw failure();
    },
  };
  return tool as unknown as ToolDefinition;
}

const operator = { kind: 'operator', id: 'operator' } as const;
const monitor = { kind: 'monitor', id: 'monitor' } as const;
let vigil: TestVigil;

beforeAll(async () => {
  vigil = await startTestVigil({
    tools: [
      ...toolsWithTestTools(),
      // Says "kill switch" but is an ordinary failure; the other is a kill-switch refusal in other words.
      failing('test_text_only', () => new ToolFailure('blocked by the kill switch (scope all: words only)')),
      failing('test_coded', () => new ToolFailure('halted: the operator froze everything', 'ERR_KILL_SWITCH_ALL')),
    ],
    safetyYaml: 'safety:\n  confirmation: approval',
  });
});
afterAll(async () => vigil.close());

const setSwitch = async (active: boolean) =>
  await vigil.core.stores.preferences.setKillSwitch(
    { active, scope: 'all', reason: active ? 'test freeze' : '', since: Date.now(), by: 'test' },
    Date.now(),
  );

describe('executeTool answers', () => {
  it('decides on the code: a kill-switch code blocks, kill-switch words alone are a failure', async () => {
    const coded = await vigil.core.pipeline.executeTool('test_coded', {}, operator);
    expect(coded).toMatchObject({ kind: 'result', decision: 'blocked', outcome: 'error', code: 'ERR_KILL_SWITCH_ALL' });
    const words = await vigil.core.pipeline.executeTool('test_text_only', {}, operator);
    expect(words).toMatchObject({ kind: 'result', decision: 'allowed', outcome: 'error', code: 'ERR_TOOL_FAILED' });
  });

  it('gives a gate refusal its registry code and protocol errors theirs', async () => {
    await setSwitch(true);
    try {
      const r = await vigil.core.pipeline.executeTool('test_poke', { node: 'pve1', vmid: 100 }, operator);
      expect(r).toMatchObject({ decision: 'blocked', code: 'ERR_KILL_SWITCH_ALL', data: { code: 'kill_switch' } });
    } finally {
      await setSwitch(false);
    }
    expect(await vigil.core.pipeline.executeTool('no_such_tool', {}, operator)).toMatchObject({
      kind: 'protocol_error',
      code: 'ERR_UNKNOWN_TOOL',
    });
    expect(await vigil.core.pipeline.executeTool('test_echo', { text: 7 }, operator)).toMatchObject({
      kind: 'protocol_error',
      code: 'ERR_INVALID_ARGS',
    });
  });

  it('hands a pending approval its id as a typed field, and a bad approval a code', async () => {
    const r = await vigil.core.pipeline.executeTool(
      'test_smash',
      { node: 'pve1', vmid: 100 },
      {
        kind: 'assistant',
        id: 'test',
        sessionId: 's1',
      },
    );
    if (r.kind !== 'result' || r.decision !== 'pending')
      throw new Error(`expected a pending approval, got ${JSON.stringify(r)}`);
    expect(r.approvalId).toMatch(/\S/);
    expect(r.data.approvalId).toBe(r.approvalId);
    const redeemed = await vigil.core.pipeline.executeTool(
      'test_smash',
      { node: 'pve1', vmid: 100, approval_id: r.approvalId },
      { kind: 'assistant', id: 'test', sessionId: 's1' },
    );
    expect(redeemed).toMatchObject({ decision: 'denied', code: 'ERR_APPROVAL_NOT_APPROVED' });
  });
});

describe('call', () => {
  it("types a successful call's data by the tool's output schema", async () => {
    const r = await vigil.core.pipeline.call(echo, { text: 'typed' }, operator);
    if (r.kind !== 'result' || r.decision !== 'allowed' || r.outcome !== 'ok') throw new Error(JSON.stringify(r));
    const echoed: string = r.data.echoed;
    expect(echoed).toBe('typed');
  });
});

describe('refuse', () => {
  it('records a refusal decided before the call with one redacted audit row and a tool.blocked event', async () => {
    const before = await vigil.core.stores.audit.count();
    const events: string[] = [];
    const off = vigil.core.bus.subscribe((e) => events.push(e.type));
    const r = await vigil.core.pipeline.refuse(
      'test_poke',
      { node: 'pve1', vmid: 100 },
      monitor,
      killSwitchRefusal({ scope: 'autonomy', reason: 'maintenance' }),
    );
    off();
    expect(r).toMatchObject({ decision: 'blocked', outcome: 'not_run', code: 'ERR_KILL_SWITCH_AUTONOMY' });
    expect(await vigil.core.stores.audit.count()).toBe(before + 1);
    expect((await vigil.core.stores.audit.list({ limit: 1 }))[0]).toMatchObject({
      id: r.auditId,
      tool: 'test_poke',
      tier: 'yellow',
      callerKind: 'monitor',
      decision: 'blocked',
      outcome: 'not_run',
      error: 'blocked by the kill switch (scope autonomy: the monitor takes no action): maintenance',
    });
    expect(events).toEqual(['tool.blocked']);
  });
});
