// Pins `vigil once`: --dry-run prints what it would do and writes nothing; without it one cycle finds, acts, verifies and prints it.
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
    const auditBefore = t.core.stores.audit.count();
    const r = await runCli(['once', '--dry-run', '--config', join(t.dir, 'vigil.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 problem\(s\) found/);
    expect(r.stdout).toMatch(/guest\.crashed:104: would call start_guest \{"node":"pve2","vmid":104\}/);
    expect(r.stdout).toMatch(/service\.failed:pve3\/nginx\.service: would call restart_service/);
    expect(t.lab.state.getGuest(104)?.status).toBe('stopped');
    expect(t.monitor.store.listIncidents({ limit: 10 })).toEqual([]);
    expect(t.core.stores.audit.count()).toBe(auditBefore);
  });

  it('runs one cycle: finds, acts, verifies, prints', async () => {
    const r = await runCli(['once', '--config', join(t.dir, 'vigil.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/guest\.crashed:104: start_guest \{"node":"pve2","vmid":104\} → succeeded/);
    expect(r.stdout).toMatch(/service\.failed:pve3\/nginx\.service: restart_service .* → succeeded/);
    expect(t.lab.state.getGuest(104)?.status).toBe('running');
    expect(t.lab.state.serviceState('pve3', 'nginx.service')).toBe('active');
    expect(t.monitor.store.listIncidents({ limit: 10 }).map((i) => i.status)).toEqual(['resolved', 'resolved']);
  });
});
