// Pins guest.unresponsive against the lab: a VM whose guest agent hangs is reset at autonomy level 4, or at 3 when opted in by tag (then stopped and started when a reset does not help) and verified; at level 3 otherwise an approval is filed; a locked guest is never counted or touched. Prints the time from hang to verified recovery.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMonitorLab, type MonitorLab } from '../monitor/harness.js';

let t: MonitorLab;
beforeEach(async () => {
  t = await startMonitorLab({
    monitorYaml: ['  guests: { agentFailures: 2 }', '  guardrails: { backoffSeconds: [0] }'].join('\n'),
  });
  await t.cycle('critical');
});
afterEach(async () => {
  await t.close();
});

const incident = async (vmid: number) =>
  (await t.monitor.store.listIncidents({ limit: 50 })).find((i) => i.key === `guest.unresponsive:${vmid}`);
const actions = async (vmid: number) =>
  (await t.monitor.store.recentActions({ incidentKey: `guest.unresponsive:${vmid}`, limit: 10 })).reverse();

describe('guest.unresponsive', () => {
  it('resets a VM whose agent hangs (level 4), verifies the agent answers, resolves', async () => {
    await t.core.stores.preferences.setAutonomyLevel(4, t.now());
    const hungAt = Date.now();
    t.lab.state.hangAgent(100);
    await t.cycle('critical'); // 1st failed ping
    expect(await incident(100)).toBeUndefined();
    await t.cycle('critical'); // 2nd: open, reset, verify
    const recoveredMs = Date.now() - hungAt;
    expect(await incident(100)).toMatchObject({ status: 'resolved', node: 'pve1' });
    expect(await actions(100)).toMatchObject([
      { runbook: 'reset-unresponsive-guest', tool: 'reset_guest', result: 'succeeded' },
    ]);
    expect(t.lab.state.tasks.list().some((x) => x.type === 'qmreset' && x.id === '100')).toBe(true);
    const audit = await t.core.stores.audit.list({ limit: 10, tool: 'reset_guest' });
    expect(audit[0]).toMatchObject({ callerKind: 'monitor', tier: 'red', decision: 'allowed', outcome: 'ok' });
    console.log(
      `guest.unresponsive: hang → verified recovery of VM 100 in ${recoveredMs} ms (2 critical cycles, agentFailures 2)`,
    );
  });

  it('stops and starts the VM when a reset does not bring the agent back', async () => {
    await t.core.stores.preferences.setAutonomyLevel(4, t.now());
    t.lab.state.hangAgent(102, true);
    await t.cycle('critical');
    await t.cycle('critical'); // reset: verify fails (sticky hang)
    expect((await actions(102)).map((a) => [a.args.mode, a.result])).toEqual([['reset', 'verify_failed']]);
    await t.cycle('critical'); // next attempt: stop + start
    expect((await actions(102)).map((a) => [a.args.mode, a.result])).toEqual([
      ['reset', 'verify_failed'],
      ['stop_start', 'succeeded'],
    ]);
    expect((await incident(102))?.status).toBe('resolved');
    expect(t.lab.state.getGuest(102)).toMatchObject({ status: 'running', agentHang: undefined });
  });

  it('files an approval instead of acting at autonomy level 3', async () => {
    t.lab.state.hangAgent(100);
    await t.cycle('critical');
    await t.cycle('critical');
    expect((await incident(100))?.status).not.toBe('resolved');
    expect(await actions(100)).toMatchObject([{ tool: 'reset_guest', result: 'pending_approval' }]);
    expect(t.lab.state.tasks.list().some((x) => x.type === 'qmreset')).toBe(false);
    expect((await t.core.stores.approvals.pending(t.now())).some((a) => a.tool === 'reset_guest')).toBe(true);
  });

  it('acts alone at level 3 for a guest the operator opted in with the vigil-autorestart tag', async () => {
    t.lab.state.setGuestConfig(100, { tags: 'prod;vigil-autorestart' });
    t.lab.state.hangAgent(100);
    await t.cycle('critical');
    await t.cycle('critical');
    expect((await incident(100))?.status).toBe('resolved');
    expect(await actions(100)).toMatchObject([{ tool: 'reset_guest', result: 'succeeded' }]);
  });

  it('never counts or touches a locked guest (a backup silences the agent)', async () => {
    await t.core.stores.preferences.setAutonomyLevel(4, t.now());
    t.lab.state.lockGuest(104, 'backup');
    t.lab.state.hangAgent(104);
    for (let i = 0; i < 4; i++) await t.cycle('critical');
    expect(await incident(104)).toBeUndefined();
    expect(t.lab.state.tasks.list().some((x) => x.id === '104' && x.type === 'qmreset')).toBe(false);
  });
});
