// Pins guest.crashed against the lab: crashed VMs and containers are started and verified, while guests stopped on purpose or HA-managed are left alone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMonitorLab, type MonitorLab } from '../monitor/harness.js';

let t: MonitorLab;
beforeEach(async () => {
  t = await startMonitorLab();
  await t.cycle('critical'); // first look: everything running
});
afterEach(async () => {
  await t.close();
});

const incidents = async () => await t.monitor.store.listIncidents({ limit: 50 });
const auditOf = async (tool: string) => await t.core.stores.audit.list({ limit: 100, tool });

describe('guest.crashed', () => {
  it('restarts a crashed VM and a crashed container, verifies, resolves; one action and one audit row each', async () => {
    t.lab.state.crashGuest(100); // qemu
    t.lab.state.crashGuest(101); // lxc
    await t.cycle('critical');

    expect(t.lab.state.getGuest(100)?.status).toBe('running');
    expect(t.lab.state.getGuest(101)?.status).toBe('running');
    const list = incidents();
    expect((await list).map((i) => [i.key, i.status]).sort()).toEqual([
      ['guest.crashed:100', 'resolved'],
      ['guest.crashed:101', 'resolved'],
    ]);
    for (const vmid of [100, 101]) {
      const actions = await t.monitor.store.recentActions({ incidentKey: `guest.crashed:${vmid}`, limit: 10 });
      expect(actions).toHaveLength(1);
      expect(actions[0]).toMatchObject({
        runbook: 'restart-crashed-guest',
        tool: 'start_guest',
        result: 'succeeded',
        counts: true,
      });
      expect(actions[0]!.verification).toMatch(/recovered/);
      const rows = (await auditOf('start_guest')).filter((r) => (r.args as { vmid: number }).vmid === vmid);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ callerKind: 'monitor', decision: 'allowed', outcome: 'ok' });
      expect(actions[0]!.auditId).toBe(rows[0]!.id);
    }
    const types = (await t.core.stores.events.latest(100)).map((e) => e.type);
    for (const type of ['incident.opened', 'remediation.started', 'remediation.succeeded', 'incident.resolved'])
      expect(types).toContain(type);
    expect(t.sent.filter((n) => n.kind === 'recovery')).toHaveLength(2);
  });

  it('leaves alone a guest stopped through stop_guest', async () => {
    const r = await t.core.pipeline.executeTool(
      'stop_guest',
      { node: 'pve1', vmid: 102 },
      { kind: 'operator', id: 'test' },
    );
    expect(r.kind === 'result' && r.decision).toBe('allowed');
    await t.cycle('critical');
    await t.cycle('critical');
    expect(t.lab.state.getGuest(102)?.status).toBe('stopped');
    expect(await incidents()).toEqual([]);
  });

  it('leaves alone a guest an operator stopped in Proxmox (a stop task), and one that is HA-managed', async () => {
    t.lab.state.operatorStop(103);
    const ha = t.lab.state.listGuests().find((g) => g.ha.managed)!;
    // The lab's HA manager restarts it after a delay; the monitor must not race it.
    t.lab.state.crashGuest(ha.vmid);
    await t.cycle('critical');
    expect(await incidents()).toEqual([]);
    expect(await auditOf('start_guest')).toEqual([]);
    expect(t.lab.state.getGuest(103)?.status).toBe('stopped');
  });

  it('judges a guest first seen stopped as crashed only when its newest power task is a start', async () => {
    // Started on purpose (a start task), then crashed while no monitor was watching.
    t.lab.state.operatorStop(104);
    await t.core.pipeline.executeTool('start_guest', { node: 'pve2', vmid: 104 }, { kind: 'operator', id: 'test' });
    t.lab.state.crashGuest(104);
    t.lab.state.operatorStop(105);
    t.restart();
    await t.cycle('critical');
    expect((await incidents()).map((i) => i.key)).toEqual(['guest.crashed:104']);
    expect(t.lab.state.getGuest(104)?.status).toBe('running');
    expect(t.lab.state.getGuest(105)?.status).toBe('stopped');
  });
});
