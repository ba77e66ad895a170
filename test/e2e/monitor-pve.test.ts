// Pins the notify-only Proxmox conditions against the lab: storage.high for a storage pool, ha.error for an HA resource in error (never started by vigil), backup.failed for a failed vzdump and backup.missing for a required guest without a recent backup — each opens, notifies without acting, and resolves when cleared.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMonitorLab, type MonitorLab } from '../monitor/harness.js';

let t: MonitorLab;
beforeEach(async () => {
  t = await startMonitorLab({ monitorYaml: '  backups: { required: [101], maxAgeDays: 1 }' });
});
afterEach(async () => {
  await t.close();
});

const status = async (key: string) =>
  (await t.monitor.store.listIncidents({ limit: 50 })).find((i) => i.key === key)?.status;
const acted = async () =>
  (await t.core.stores.audit.list({ limit: 200 })).filter((r) => r.callerKind === 'monitor' && r.tier !== 'green');
const operator = { kind: 'operator' as const, id: 'test' };

describe('Proxmox notify-only conditions', () => {
  it('storage.high opens for a full thin pool, notifies without acting, resolves when it drains', async () => {
    t.lab.state.setThinUsage('pve2', 96);
    await t.cycle('routine');
    expect(await status('storage.high:pve2/local-lvm')).toBe('open');
    expect(t.sent.some((n) => n.incidentKey === 'storage.high:pve2/local-lvm')).toBe(true);
    t.lab.state.setThinUsage('pve2', 20);
    await t.cycle('routine');
    expect(await status('storage.high:pve2/local-lvm')).toBe('resolved');
    expect(await acted()).toEqual([]);
  });

  it('ha.error opens for a resource in error and never starts the guest', async () => {
    const ha = t.lab.state.listGuests().find((g) => g.ha.managed)!;
    t.lab.state.setHaState(ha.vmid, 'error');
    t.lab.state.crashGuest(ha.vmid);
    await t.cycle('critical', 'routine');
    expect(await status(`ha.error:${ha.vmid}`)).toBe('open');
    expect(t.lab.state.getGuest(ha.vmid)?.status).toBe('stopped');
    expect(await acted()).toEqual([]);
    t.lab.state.setHaState(ha.vmid, 'started');
    await t.cycle('routine');
    expect(await status(`ha.error:${ha.vmid}`)).toBe('resolved');
  });

  it('backup.failed and backup.missing open from vzdump results and archives, and resolve after a good backup', async () => {
    await t.cycle('routine');
    expect(await status('backup.missing:101')).toBe('open');
    t.lab.state.setBackupError(100, 'no space left on device');
    const failed = await t.core.pipeline.executeTool('run_backup', { node: 'pve1', vmid: 100 }, operator);
    expect(failed.kind === 'result' && failed.decision).toBe('allowed');
    await t.cycle('routine');
    expect(await status('backup.failed:100')).toBe('open');
    expect(
      (await t.monitor.store.listIncidents({ limit: 50 })).find((i) => i.key === 'backup.failed:100')?.summary,
    ).toContain('no space left on device');
    t.lab.state.setBackupError(100, null);
    await t.core.pipeline.executeTool('run_backup', { node: 'pve1', vmid: 100 }, operator);
    await t.core.pipeline.executeTool('run_backup', { node: 'pve1', vmid: 101 }, operator);
    await t.cycle('routine');
    expect(await status('backup.failed:100')).toBe('resolved');
    expect(await status('backup.missing:101')).toBe('resolved');
    expect(await acted()).toEqual([]);
  });
});

describe('forecasts in incidents', () => {
  it('a storage.high incident shows days to full and r² from the stored samples of the pool', async () => {
    const samples = t.core.stores.samples;
    t.restart({ samples });
    const day = 86_400_000;
    // A thin pool rising 2 % a day for a week, as earlier routine cycles would have recorded it.
    for (let d = 7; d >= 1; d--)
      await samples.record('pve2', 'storage.local-lvm.percent', 93 - 2 * d, t.now() - d * day);
    t.lab.state.setThinUsage('pve2', 93);
    await t.cycle('routine');
    const inc = (await t.monitor.store.listIncidents({ limit: 50 })).find(
      (i) => i.key === 'storage.high:pve2/local-lvm',
    )!;
    expect(inc.details.forecast).toMatchObject({ r2: 1 });
    expect((inc.details.forecast as { daysToCritical: number }).daysToCritical).toBeCloseTo(3.5, 0);
    expect(inc.summary).toMatch(/full in 3\.\d days at the current rate \(r² 1\)$/);
  });
});
