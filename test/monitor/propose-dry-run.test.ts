// Pins that at autonomy level 2 a dry-run-first runbook (cleanup_disk) files one approval request for the real action, not a second one for its dry run.
import { afterEach, describe, expect, it } from 'vitest';
import { startMonitorLab, type MonitorLab } from './harness.js';

let t: MonitorLab | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('autonomy level 2 and a dry-run-first runbook', () => {
  it('proposes the cleanup once; approving it runs the cleanup without another request', async () => {
    t = await startMonitorLab();
    await t.core.stores.preferences.setAutonomyLevel(2, t.now());
    t.lab.state.setUsage('pve1', { diskPercent: 97 });
    await t.cycle('routine');
    await t.cycle('routine');
    const pending = await t.core.stores.approvals.pending(t.now());
    expect(pending.map((a) => a.args)).toEqual([expect.not.objectContaining({ dryRun: true })]);
    expect(t.lab.state.usage('pve1').diskPercent).toBeGreaterThan(90);

    const r = await t.core.pipeline.executeTool(
      'approve_action',
      { id: pending[0]!.id, verdict: 'approve' },
      { kind: 'operator', id: 'test' },
    );
    expect(r.kind === 'result' && r.isError).toBe(false);
    await t.cycle('routine');
    expect(t.lab.state.usage('pve1').diskPercent).toBeLessThan(90);
    expect(await t.core.stores.approvals.pending(t.now())).toEqual([]);
  });
});
