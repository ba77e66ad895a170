// Pins `vigil once`: --dry-run prints what it would do and writes nothing; without it one cycle finds, acts, verifies and prints, per problem, what it did and what comes next — counting problems left open by an earlier run too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli } from '../helpers/vigil.js';
import { startMonitorLab, type MonitorLab } from '../monitor/harness.js';

let t: MonitorLab;
beforeAll(async () => {
  t = await startMonitorLab();
  // Started on purpose (a start task), then crashed: `once` has no earlier look, and judges by that task.
  t.lab.state.operatorStop(104);
  await t.core.pipeline.executeTool('start_guest', { node: 'pve2', vmid: 104 }, { kind: 'operator', id: 'test' });
  t.lab.state.crashGuest(104);
  t.lab.state.setServiceState('pve3', 'nginx.service', 'failed');
});
afterAll(async () => {
  await t.close();
});

describe('vigil once', () => {
  it('--dry-run says what it would do and changes nothing', async () => {
    const auditBefore = await t.core.stores.audit.count();
    const r = await runCli(['once', '--dry-run', '--config', join(t.dir, 'vigil.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 problem\(s\): 2 found now, 0 open from before/);
    expect(r.stdout).toMatch(
      /guest\.crashed:104: .*\n {4}dry run: would call start_guest \{"node":"pve2","vmid":104\}/,
    );
    expect(r.stdout).toMatch(/service\.failed:pve3\/nginx\.service: .*\n {4}dry run: would call restart_service/);
    expect(t.lab.state.getGuest(104)?.status).toBe('stopped');
    expect(await t.monitor.store.listIncidents({ limit: 10 })).toEqual([]);
    expect(await t.core.stores.audit.count()).toBe(auditBefore);
  });

  it('runs one cycle: finds, acts, verifies, prints', async () => {
    const r = await runCli(['once', '--config', join(t.dir, 'vigil.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 problem\(s\): 2 found now, 0 open from before/);
    expect(r.stdout).toMatch(/guest\.crashed:104: .*\n {4}did: start_guest \{"node":"pve2","vmid":104\} → succeeded/);
    expect(r.stdout).toMatch(/service\.failed:pve3\/nginx\.service: .*\n {4}did: restart_service .* → succeeded/);
    expect(r.stdout).toMatch(/\n {4}next: nothing: verified and resolved/);
    expect(t.lab.state.getGuest(104)?.status).toBe('running');
    expect(t.lab.state.serviceState('pve3', 'nginx.service')).toBe('active');
    expect((await t.monitor.store.listIncidents({ limit: 10 })).map((i) => i.status)).toEqual(['resolved', 'resolved']);
  });

  it('a problem left open by an earlier run is counted and explained where it is acted on', async () => {
    const config = join(t.dir, 'vigil.yaml');
    const operator = { kind: 'operator', id: 'test' } as const;
    await t.core.pipeline.executeTool('set_kill_switch', { active: true, reason: 'test' }, operator);
    t.lab.state.setServiceState('pve1', 'nginx.service', 'failed');
    const held = await runCli(['once', '--config', config]);
    expect(held.stdout).toMatch(/1 problem\(s\): 1 found now, 0 open from before/);
    expect(held.stdout).toMatch(/did: no action \(the kill switch is on, scope autonomy\)/);
    expect(held.stdout).toMatch(/next: nothing automatic until it is released: vigil killswitch off/);
    await t.core.pipeline.executeTool('set_kill_switch', { active: false }, operator);
    expect((await t.core.stores.preferences.killSwitch()).active).toBe(false);
    const second = await runCli(['once', '--config', config]);
    expect(second.code).toBe(0);
    // The critical pass already restarts it, so the routine pass finds nothing new: still one problem, not zero.
    expect(second.stdout).toMatch(/1 problem\(s\): (0 found now, 1|1 found now, 0) open from before/);
    expect(second.stdout).toMatch(/service\.failed:pve1\/nginx\.service: .*\n {4}did: restart_service .* → succeeded/);
    expect(second.stdout).not.toMatch(/0 problem/);
  });
});
