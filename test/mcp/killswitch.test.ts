// Pins the kill switch: scope autonomy stops only the monitor, scope all freezes yellow/red for everyone, releasing it is confirmed, and it persists.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestVigil, textOf, type TestVigil } from '../helpers/vigil.js';
import { runs, toolsWithTestTools } from '../helpers/tools.js';
import type { Caller } from '../../src/contracts/tiers.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MONITOR: Caller = {
  kind: 'monitor',
  id: 'monitor',
  runbook: { name: 'guest-crashed', requiredLevel: 3, allowRed: false },
};
const OPERATOR: Caller = { kind: 'operator', id: 'test' };

let vigil: TestVigil;
beforeEach(async () => {
  runs.clear();
  vigil = await startTestVigil({ tools: toolsWithTestTools() });
});
afterEach(async () => vigil.close());

const exec = (name: string, args: Record<string, unknown>, caller: Caller) =>
  vigil.core.pipeline.executeTool(name, args, caller);

describe('kill switch', () => {
  it('scope autonomy blocks the monitor only', async () => {
    const client = await vigil.connect();
    const on = await client.callTool({
      name: 'set_kill_switch',
      arguments: { active: true, scope: 'autonomy', reason: 'maintenance' },
    });
    expect(on.isError).toBe(false);

    const monitor = await exec('test_poke', { node: 'pve1', vmid: 100 }, MONITOR);
    expect(monitor).toMatchObject({ kind: 'result', isError: true, decision: 'blocked' });
    expect(monitor.kind === 'result' && monitor.text).toMatch(/scope autonomy.*maintenance/);
    // Reads stay allowed for the monitor: it keeps watching.
    expect(await exec('test_echo', {}, MONITOR)).toMatchObject({ isError: false, decision: 'allowed' });

    const assistant = await client.callTool({ name: 'test_poke', arguments: { node: 'pve1', vmid: 100 } });
    expect(assistant.isError).toBe(false);
    expect(runs.get('test_poke')).toBe(1);
  });

  it('scope all blocks yellow and red from everyone, and the monitor cannot touch the switch', async () => {
    const client = await vigil.connect({ elicit: () => ({ action: 'accept', content: { confirm: true } }) });
    await client.callTool({ name: 'set_kill_switch', arguments: { active: true, scope: 'all', reason: 'incident' } });

    for (const name of ['test_poke', 'test_smash']) {
      const fromAssistant = await client.callTool({ name, arguments: { node: 'pve1', vmid: 100 } });
      expect(fromAssistant.isError).toBe(true);
      expect(textOf(fromAssistant)).toMatch(/kill switch \(scope all/);
      expect(await exec(name, { node: 'pve1', vmid: 100 }, OPERATOR)).toMatchObject({ decision: 'blocked' });
      expect(await exec(name, { node: 'pve1', vmid: 100 }, MONITOR)).toMatchObject({ decision: 'blocked' });
    }
    expect(runs.size).toBe(0);
    expect((await client.callTool({ name: 'test_echo', arguments: {} })).isError).toBe(false);
    expect(await exec('set_kill_switch', { active: false }, MONITOR)).toMatchObject({ decision: 'blocked' });
    expect((await vigil.core.stores.preferences.killSwitch()).active).toBe(true);
  });

  it('turning it off needs confirmation', async () => {
    const noElicit = await vigil.connect();
    await noElicit.callTool({ name: 'set_kill_switch', arguments: { active: true, scope: 'all' } });
    const off = await noElicit.callTool({ name: 'set_kill_switch', arguments: { active: false } });
    expect((off.structuredContent as { status: string }).status).toBe('pending_approval');
    expect((await vigil.core.stores.preferences.killSwitch()).active).toBe(true);

    const declined = await vigil.connect({ elicit: () => ({ action: 'decline' }) });
    expect((await declined.callTool({ name: 'set_kill_switch', arguments: { active: false } })).isError).toBe(true);
    expect((await vigil.core.stores.preferences.killSwitch()).active).toBe(true);

    const accepted = await vigil.connect({ elicit: () => ({ action: 'accept', content: { confirm: true } }) });
    expect((await accepted.callTool({ name: 'set_kill_switch', arguments: { active: false } })).isError).toBe(false);
    expect((await vigil.core.stores.preferences.killSwitch()).active).toBe(false);
  });

  it('flipped while a red call waits for confirmation, the action does not happen', async () => {
    const client = await vigil.connect({
      elicit: async () => {
        await exec('set_kill_switch', { active: true, scope: 'all', reason: 'flipped mid-confirmation' }, OPERATOR);
        return { action: 'accept', content: { confirm: true } };
      },
    });
    const result = await client.callTool({ name: 'test_smash', arguments: { node: 'pve1', vmid: 100 } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/flipped mid-confirmation/);
    expect(runs.get('test_smash')).toBeUndefined();
    expect((await vigil.core.stores.audit.list({ limit: 1, tool: 'test_smash' }))[0]).toMatchObject({
      decision: 'blocked',
      outcome: 'error',
    });
  });

  it('survives a restart', async () => {
    await vigil.close();
    const dir = mkdtempSync(join(tmpdir(), 'vigil-restart-'));
    vigil = await startTestVigil({ tools: toolsWithTestTools(), dir });
    await exec('set_kill_switch', { active: true, scope: 'all', reason: 'persist me' }, OPERATOR);
    await exec('set_autonomy_level', { level: 1 }, OPERATOR);
    await vigil.close();
    vigil = await startTestVigil({ tools: toolsWithTestTools(), dir });
    expect(await vigil.core.stores.preferences.killSwitch()).toMatchObject({
      active: true,
      scope: 'all',
      reason: 'persist me',
    });
    expect(await vigil.core.stores.preferences.autonomyLevel()).toBe(1);
    expect(await exec('test_poke', { node: 'pve1', vmid: 100 }, OPERATOR)).toMatchObject({ decision: 'blocked' });
  });
});
