// Pins guest.down against the lab: a guest with onboot found stopped at the monitor's first look, with no stop task by anyone, is started and verified; one without onboot, or stopped by an operator, is left alone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMonitorLab, type MonitorLab } from '../monitor/harness.js';

let t: MonitorLab;
beforeEach(async () => {
  t = await startMonitorLab();
});
afterEach(async () => {
  await t.close();
});

const incidents = async () => await t.monitor.store.listIncidents({ limit: 50 });

describe('guest.down', () => {
  it('starts an onboot guest that was already down at start-up, and leaves the others alone', async () => {
    t.lab.state.crashGuest(100); // onboot, no task: down before vigil looked
    t.lab.state.crashGuest(101);
    t.lab.state.setGuestConfig(101, { onboot: false }); // not meant to run at boot
    t.lab.state.operatorStop(102); // stopped on purpose
    await t.cycle('critical');
    expect((await incidents()).map((i) => [i.key, i.status])).toEqual([['guest.down:100', 'resolved']]);
    const actions = await t.monitor.store.recentActions({ incidentKey: 'guest.down:100', limit: 5 });
    expect(actions).toMatchObject([{ runbook: 'start-down-guest', tool: 'start_guest', result: 'succeeded' }]);
    expect(t.lab.state.getGuest(100)?.status).toBe('running');
    expect(t.lab.state.getGuest(101)?.status).toBe('stopped');
    expect(t.lab.state.getGuest(102)?.status).toBe('stopped');
  });

  it('never starts an HA-managed guest', async () => {
    const ha = t.lab.state.listGuests().find((g) => g.ha.managed)!;
    t.lab.state.setHaState(ha.vmid, 'stopped');
    t.lab.state.crashGuest(ha.vmid);
    await t.cycle('critical');
    expect(await incidents()).toEqual([]);
    expect(await t.core.stores.audit.list({ limit: 20, tool: 'start_guest' })).toEqual([]);
  });
});
