// Pins the monitor's guardrails against the lab: attempts then escalation, the kill switch (before and right before acting), blast radius, and autonomy level 2 approvals.
import { afterEach, describe, expect, it } from 'vitest';
import { startMonitorLab, type MonitorLab } from '../monitor/harness.js';

let t: MonitorLab | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const operator = { kind: 'operator' as const, id: 'test' };
const startCalls = async (m: MonitorLab) => await m.core.stores.audit.list({ limit: 100, tool: 'start_guest' });
const incident = async (m: MonitorLab, key: string) =>
  (await m.monitor.store.listIncidents({ limit: 50 })).find((i) => i.key === key);
const MIN = 60_000;

describe('attempts and escalation', () => {
  it('tries a failing remediation 3 times in the hour, escalates once, then waits for the window', async () => {
    t = await startMonitorLab();
    await t.cycle('critical');
    t.lab.state.crashGuest(100);
    t.lab.state.lockGuest(100, 'backup');
    await t.cycle('critical');
    expect(await startCalls(t)).toHaveLength(1);
    await t.cycle('critical'); // back-off: nothing yet
    expect(await startCalls(t)).toHaveLength(1);
    t.advance(31_000);
    await t.cycle('critical');
    t.advance(121_000);
    await t.cycle('critical');
    expect((await startCalls(t)).map((r) => r.outcome)).toEqual(['error', 'error', 'error']);
    expect((await incident(t, 'guest.crashed:100'))?.status).toBe('escalated');
    const escalations = t.sent.filter((n) => n.kind === 'escalation');
    expect(escalations).toHaveLength(1);
    expect(escalations[0]!.body).toMatch(/locked/);
    expect(escalations[0]!.snapshot).toMatch(/get_guest_status/);

    for (let i = 0; i < 5; i++) {
      t.advance(10 * MIN);
      await t.cycle('critical');
    }
    expect(await startCalls(t)).toHaveLength(3);
    expect(t.sent.filter((n) => n.kind === 'escalation')).toHaveLength(1);

    // The window passes: the lock is gone by now, and the next attempt fixes it.
    t.lab.state.lockGuest(100, null);
    t.advance(10 * MIN);
    await t.cycle('critical');
    expect(await startCalls(t)).toHaveLength(4);
    expect((await incident(t, 'guest.crashed:100'))?.status).toBe('resolved');
  });

  it('keeps the attempt count across a restart', async () => {
    t = await startMonitorLab();
    await t.cycle('critical');
    t.lab.state.crashGuest(100);
    t.lab.state.lockGuest(100, 'backup');
    await t.cycle('critical');
    t.advance(31_000);
    await t.cycle('critical');
    t.restart();
    t.advance(121_000);
    await t.cycle('critical');
    t.advance(301_000);
    await t.cycle('critical');
    expect(await startCalls(t)).toHaveLength(3);
    expect((await incident(t, 'guest.crashed:100'))?.status).toBe('escalated');
  });
});

describe('kill switch', () => {
  it('on: the incident opens and is reported, nothing runs, and the audit shows the block once', async () => {
    t = await startMonitorLab();
    await t.cycle('critical');
    await t.core.pipeline.executeTool('set_kill_switch', { active: true, reason: 'maintenance' }, operator);
    t.lab.state.crashGuest(100);
    await t.cycle('critical');
    await t.cycle('critical');
    expect((await incident(t, 'guest.crashed:100'))?.status).toBe('open');
    expect(t.lab.state.getGuest(100)?.status).toBe('stopped');
    expect(t.sent.filter((n) => n.kind === 'report')).toHaveLength(1);
    const rows = await startCalls(t);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ callerKind: 'monitor', decision: 'blocked', outcome: 'not_run' });
    expect(rows[0]!.error).toMatch(/kill switch/);
    expect((await t.core.stores.audit.verify()).ok).toBe(true);
  });

  it('flipped on while a remediation is about to act: no action', async () => {
    t = await startMonitorLab();
    await t.cycle('critical');
    // Engage the switch the moment the remediation announces itself, before it acts.
    t.core.bus.subscribe((e) => {
      if (e.type === 'remediation.started')
        // The SQLite port writes when called: the switch is on before the remediation goes on.
        void t!.core.stores.preferences.setKillSwitch(
          { active: true, scope: 'autonomy', reason: 'stop', since: t!.now(), by: 'test' },
          t!.now(),
        );
    });
    t.lab.state.crashGuest(100);
    await t.cycle('critical');
    expect(t.lab.state.getGuest(100)?.status).toBe('stopped');
    expect((await startCalls(t)).map((r) => r.decision)).toEqual(['blocked']);
    expect((await incident(t, 'guest.crashed:100'))?.status).toBe('open');
  });
});

describe('blast radius', () => {
  it('two nodes down at once are woken one after the other, never together', async () => {
    t = await startMonitorLab();
    await t.cycle('critical');
    const leased: number[] = [];
    // The SQLite port reads when called: each event sees the leases as they were when it was delivered.
    t.core.bus.subscribe(() => void t!.core.stores.monitor.leases().then((l) => leased.push(l.length)));
    t.lab.state.setNodeOnline('pve1', false);
    t.lab.state.setNodeOnline('pve3', false);
    await t.cycle('critical');
    await t.cycle('critical');
    const started = async () =>
      (await t!.core.stores.events.latest(200)).filter((e) => e.type === 'remediation.started').map((e) => e.node);
    expect(await started()).toEqual(['pve1']);
    expect(t.lab.state.getNode('pve1')?.online).toBe(true);
    expect(t.lab.state.getNode('pve3')?.online).toBe(false);
    await t.cycle('critical');
    expect(await started()).toEqual(['pve1', 'pve3']);
    expect(t.lab.state.getNode('pve3')?.online).toBe(true);
    expect(Math.max(...leased)).toBe(1);
    const events = await t.core.stores.events.latest(200);
    const firstDone = events.findIndex((e) => e.type === 'remediation.succeeded' && e.node === 'pve1');
    const secondStart = events.findIndex((e) => e.type === 'remediation.started' && e.node === 'pve3');
    expect(firstDone).toBeLessThan(secondStart);
  });
});

describe('autonomy level 2', () => {
  it('files an approval request instead of acting; approving it runs the action', async () => {
    t = await startMonitorLab();
    await t.cycle('critical');
    await t.core.stores.preferences.setAutonomyLevel(2, t.now());
    t.lab.state.crashGuest(100);
    await t.cycle('critical');
    await t.cycle('critical');
    expect(t.lab.state.getGuest(100)?.status).toBe('stopped');
    const pending = await t.core.stores.approvals.pending(t.now());
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ tool: 'start_guest', callerKind: 'monitor', args: { node: 'pve1', vmid: 100 } });
    expect((await startCalls(t)).map((r) => r.decision)).toEqual(['pending']);

    const r = await t.core.pipeline.executeTool('approve_action', { id: pending[0]!.id, verdict: 'approve' }, operator);
    expect(r.kind === 'result' && r.isError).toBe(false);
    await t.cycle('critical');
    expect(t.lab.state.getGuest(100)?.status).toBe('running');
    expect((await startCalls(t)).map((row) => [row.decision, row.outcome, row.approvalId])).toEqual([
      ['allowed', 'ok', pending[0]!.id],
      ['pending', 'not_run', pending[0]!.id],
    ]);
    expect((await incident(t, 'guest.crashed:100'))?.status).toBe('resolved');
  });
});
