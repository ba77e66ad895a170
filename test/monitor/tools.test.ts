// Pins the monitor's tools through executeTool: incidents and autonomy actions are readable, a silence stops actions (not incidents), the monitor cannot silence itself.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMonitorLab, type MonitorLab } from './harness.js';

let t: MonitorLab;
beforeEach(async () => {
  t = await startMonitorLab();
  await t.cycle('critical');
});
afterEach(async () => {
  await t.close();
});

const operator = { kind: 'operator' as const, id: 'test' };
const call = async (
  tool: string,
  args: Record<string, unknown>,
  caller: Parameters<MonitorLab['core']['pipeline']['executeTool']>[2] = operator,
) => {
  const r = await t.core.pipeline.executeTool(tool, args, caller);
  if (r.kind !== 'result') throw new Error(r.message);
  return r;
};

describe('monitor tools', () => {
  it('get_incidents and get_autonomy_actions report what the monitor found and did', async () => {
    t.lab.state.crashGuest(101);
    await t.cycle('critical');
    const inc = await call('get_incidents', {});
    expect(inc.text).toMatch(/\[resolved\] guest\.crashed:101/);
    expect((inc.data?.incidents as unknown[]).length).toBe(1);
    const act = await call('get_autonomy_actions', { incident_key: 'guest.crashed:101' });
    expect(act.text).toMatch(/restart-crashed-guest: start_guest → succeeded/);
    expect(await call('get_incidents', { active: true })).toMatchObject({ text: 'No incidents.' });
  });

  it('a silence keeps the incident open and reported but stops the action; ending it lets the monitor act', async () => {
    const s = await call('silence', { target: 'guest:101', minutes: 30, reason: 'testing' });
    expect(s.isError).toBe(false);
    t.lab.state.crashGuest(101);
    await t.cycle('critical');
    expect(t.lab.state.getGuest(101)?.status).toBe('stopped');
    expect((await call('get_incidents', { active: true })).text).toMatch(/\[open\] guest\.crashed:101/);
    expect(
      (await t.core.stores.events.latest(50)).some(
        (e) => e.type === 'remediation.skipped' && /silenced/.test(e.message),
      ),
    ).toBe(true);
    await call('end_silence', { id: s.data?.id });
    await t.cycle('critical');
    expect(t.lab.state.getGuest(101)?.status).toBe('running');
  });

  it('the monitor cannot call silence', async () => {
    const r = await call('silence', { target: '*', minutes: 5 }, { kind: 'monitor', id: 'monitor' });
    expect(r).toMatchObject({ isError: true, decision: 'blocked' });
  });
});
