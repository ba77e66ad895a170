// Pins run_diagnostic, run_command and cleanup_disk against the lab: fixed read-only menu, capped arbitrary commands, cleanup confined to configured paths with exact bytes and a side-effect-free dry run.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanupDisk } from '../../../src/mcp/tools/cleanup.js';
import { runCommand, runDiagnostic } from '../../../src/mcp/tools/diagnostics.js';
import { startToolLab, type ToolLab } from './services-lab.js';

describe('diagnostic tools', () => {
  let t: ToolLab;
  beforeAll(async () => {
    t = await startToolLab();
  });
  afterAll(async () => t?.close());
  beforeEach(() => {
    t.killSwitch = false;
  });

  it('runs each fixed diagnostic and returns parsed data', async () => {
    const disk = await t.call(runDiagnostic, { node: 'pve1', diagnostic: 'disk' });
    expect(disk.data?.filesystems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ mount: '/', totalBytes: t.lab.state.usage('pve1').disk.total }),
      ]),
    );
    const mem = await t.call(runDiagnostic, { node: 'pve1', diagnostic: 'memory' });
    expect(mem.data?.memory).toMatchObject({ totalBytes: t.lab.state.usage('pve1').memory.total });
    expect((await t.call(runDiagnostic, { node: 'pve1', diagnostic: 'uptime' })).data?.uptime).toMatchObject({
      load1: expect.any(Number),
    });
    expect(
      (await t.call(runDiagnostic, { node: 'pve1', diagnostic: 'top_processes', count: 2 })).data?.processes,
    ).toHaveLength(2);
    const journal = await t.call(runDiagnostic, {
      node: 'pve1',
      diagnostic: 'journal',
      service: 'nginx.service',
      lines: 2,
    });
    expect(journal.text).toContain('nginx.service');
    t.lab.state.setServiceState('pve1', 'nginx.service', 'failed');
    const status = await t.call(runDiagnostic, {
      node: 'pve1',
      diagnostic: 'service_status',
      service: 'nginx.service',
    });
    expect(status.text).toContain('Active: failed');
    expect(t.mayActCalls).toBe(0);
  });

  it('rejects a diagnostic without its service, or with an invalid unit', async () => {
    await expect(t.call(runDiagnostic, { node: 'pve1', diagnostic: 'journal' })).rejects.toThrow(/needs a service/);
    await expect(t.call(runDiagnostic, { node: 'pve1', diagnostic: 'journal', service: 'x; reboot' })).rejects.toThrow(
      /^failed to run journal on pve1: invalid unit name/,
    );
  });

  it('runs an arbitrary command after re-checking the kill switch, reporting its exit code', async () => {
    const before = t.mayActCalls;
    const out = await t.call(runCommand, { node: 'pve2', command: 'hostname' });
    expect(out.data).toMatchObject({ exitCode: 0, stdout: 'pve2\n', truncated: false });
    expect(t.mayActCalls).toBe(before + 1);
    const refused = await t.call(runCommand, { node: 'pve2', command: 'rm -rf /' });
    expect(refused.text).toMatch(/^exit 127/);
    t.killSwitch = true;
    await expect(t.call(runCommand, { node: 'pve2', command: 'hostname' })).rejects.toThrow(/kill switch/);
  });

  it('measures a cleanup in a dry run without changing anything, then frees exactly that', async () => {
    const s = t.lab.state;
    const logsBefore = s.logFiles('pve1');
    const usedBefore = s.usage('pve1').disk.used;
    const calls = t.mayActCalls;
    const plan = await t.call(cleanupDisk, { node: 'pve1', dryRun: true });
    expect(s.usage('pve1').disk.used).toBe(usedBefore);
    expect(s.logFiles('pve1')).toEqual(logsBefore);
    expect(t.mayActCalls).toBe(calls);
    const oldLogs = logsBefore.filter((f) => f.ageDays > 7).reduce((n, f) => n + f.sizeBytes, 0);
    const journalExcess = Math.max(0, s.journalBytes('pve1') - 100 * 1024 ** 2);
    const expected = oldLogs + journalExcess + s.packageCacheBytes('pve1');
    expect(plan.data?.freedBytes).toBe(expected);
    expect(plan.text).toMatch(/^dry run: pve1 would free/);

    const done = await t.call(cleanupDisk, { node: 'pve1' });
    expect(done.data?.freedBytes).toBe(expected);
    expect(s.usage('pve1').disk.used).toBe(usedBefore - expected);
    expect(done.data?.steps).toMatchObject([
      { step: 'old_logs', target: '/var/log/app', bytes: oldLogs },
      // No fresh log in the lab is over truncateAboveMB until chaos fills a disk.
      { step: 'large_logs', bytes: 0, files: [] },
      { step: 'journal', bytes: journalExcess },
      { step: 'package_cache', bytes: expect.any(Number) },
    ]);
    // Fresh logs stay.
    expect(s.logFiles('pve1').map((f) => f.path)).toEqual(logsBefore.filter((f) => f.ageDays <= 7).map((f) => f.path));
  });

  it('touches nothing when the kill switch is on, and only configured paths otherwise', async () => {
    const s = t.lab.state;
    const before = s.usage('pve2').disk.used;
    t.killSwitch = true;
    await expect(t.call(cleanupDisk, { node: 'pve2' })).rejects.toThrow(/kill switch/);
    expect(s.usage('pve2').disk.used).toBe(before);
    t.killSwitch = false;
    const node = t.nodes.find((n) => n.name === 'pve2');
    if (!node) throw new Error('no pve2');
    node.cleanup.logPaths = ['/var/log/elsewhere'];
    // Every step failed: a ToolFailure that says which and why.
    await expect(t.call(cleanupDisk, { node: 'pve2', steps: ['old_logs'] })).rejects.toThrow(
      "failed to clean up disk on pve2: /var/log/elsewhere: find: '/var/log/elsewhere': No such file or directory (exit 1)",
    );
    expect(s.usage('pve2').disk.used).toBe(before);
  });
});
