// Pins get_cluster_status against the lab and the monitor: disks over the monitor's threshold and open incidents are listed as needing attention, never "nothing needs attention".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitorLab, type MonitorLab } from '../monitor/harness.js';
import { why } from '../../src/mcp/tools/services.js';

const operator = { kind: 'operator', id: 'test' } as const;
let t: MonitorLab;
beforeAll(async () => {
  t = await startMonitorLab();
});
afterAll(async () => {
  await t?.close();
});

describe('get_cluster_status', () => {
  it('lists crossed thresholds and open incidents', async () => {
    const before = await t.core.pipeline.executeTool('get_cluster_status', {}, operator);
    expect(before.kind === 'result' && before.text).toMatch(/nothing needs attention$/);

    // The kill switch keeps the incidents open, as in a monitor waiting on a cooldown.
    await t.core.pipeline.executeTool('set_kill_switch', { active: true, reason: 'test' }, operator);
    for (const node of ['pve1', 'pve2']) t.lab.state.setUsage(node, { diskPercent: 96 });
    await t.cycle('routine');
    const r = await t.core.pipeline.executeTool('get_cluster_status', {}, operator);
    if (r.kind !== 'result') throw new Error(r.message);
    const threshold = t.core.config.monitor.thresholds.diskPercent;
    expect(r.text).not.toMatch(/nothing needs attention/);
    for (const node of ['pve1', 'pve2']) {
      expect(r.text).toMatch(new RegExp(`${node} root disk at 9[5-7](\\.\\d)?% \\(threshold ${threshold}%\\)`));
      expect(r.text).toMatch(new RegExp(`open incident disk\\.high:${node} \\(open, 0 attempt\\(s\\)\\)`));
    }
    expect(r.data?.problems).toEqual(
      expect.arrayContaining([
        `pve1 root disk at 96% (threshold ${threshold}%)`,
        expect.stringMatching(
          /^open incident disk\.high:pve2 \(open, 0 attempt\(s\)\): root disk of pve2 is 96\.0% used/,
        ),
      ]),
    );
  });
});

describe('why an SSH command failed', () => {
  const base = { stdout: '', stderr: '', truncated: false, durationMs: 1 };
  it('gives the exit status, the signal, or says that none came', () => {
    expect(why({ ...base, exitCode: 5, stderr: 'Failed to restart x.service: Unit x.service not found.\n' })).toBe(
      'Failed to restart x.service: Unit x.service not found. (exit 5)',
    );
    expect(why({ ...base, exitCode: null, signal: 'KILL' })).toBe('killed by signal KILL');
    expect(why({ ...base, exitCode: null })).toBe(
      'no exit status: the SSH session closed before the command finished (is the node going down?)',
    );
    expect(why({ ...base, exitCode: null, truncated: true })).toMatch(/^output over the limit/);
  });
});
