// Pins disk.high and disk.fill_predicted against the lab: a disk filled to 97 % through the lab API is cleaned (the runaway log gzipped and truncated) and the incident resolves; a rising series in the sample store opens disk.fill_predicted, cleanup_disk runs (dry run first) and the fall ends the prediction; a noisy flat series raises nothing; samples are recorded once per routine interval; the daily run prunes samples and old notifications.
import { afterEach, describe, expect, it } from 'vitest';
import type { SamplePort } from '../../src/db/ports.js';
import { decideFillPredicted } from '../../src/util/trend.js';
import { RUNAWAY_LOG } from '../../src/lab/state.js';
import { startMonitorLab, type MonitorLab } from '../monitor/harness.js';
import { labControl } from './tools-lab.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let t: MonitorLab | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** A monitor lab whose monitor records to (and forecasts from) a real sample store in its database. */
async function start(): Promise<{ t: MonitorLab; samples: SamplePort }> {
  const lab = await startMonitorLab();
  const samples = lab.core.stores.samples;
  lab.restart({ samples });
  return { t: lab, samples };
}

/** Seeded uniform noise in [-1, 1). */
function noise(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (Math.imul(a, 1_664_525) + 1_013_904_223) >>> 0;
    return (a / 4_294_967_296) * 2 - 1;
  };
}

describe('disk.high', () => {
  it('a disk filled to 97 % is cleaned by truncating the runaway log after a compressed copy; the incident resolves', async () => {
    t = await startMonitorLab();
    const put = await labControl(t.lab, 'PUT', '/_lab/nodes/pve1/usage', { diskPercent: 97 });
    expect(put.status).toBe(200);
    await t.cycle('routine');
    expect(t.lab.state.usage('pve1').diskPercent).toBeLessThan(90);
    expect((await t.monitor.store.listIncidents({ limit: 10 })).map((i) => [i.key, i.status])).toEqual([
      ['disk.high:pve1', 'resolved'],
    ]);
    const logs = t.lab.state.logFiles('pve1');
    expect(logs.find((f) => f.path === RUNAWAY_LOG)?.sizeBytes).toBe(0);
    expect(logs.some((f) => f.path.startsWith(`${RUNAWAY_LOG}.`) && f.path.endsWith('.gz'))).toBe(true);
    const [action] = await t.monitor.store.recentActions({ limit: 5 });
    expect(action).toMatchObject({ runbook: 'clean-full-disk', tool: 'cleanup_disk', result: 'succeeded' });
  });
});

describe('disk.fill_predicted', () => {
  it('opens an incident from a rising series, runs cleanup_disk on the node (dry run first), and resolves once the fall ends the trend', async () => {
    const s = await start();
    t = s.t;
    t.lab.state.setUsage('pve1', { diskPercent: 80 });
    // +5 %/day for two days up to the 80 % the lab now shows: full in about 4 days.
    for (let h = 48; h >= 1; h--) await s.samples.record('pve1', 'disk.percent', 80 - (h / 24) * 5, t.now() - h * HOUR);
    await t.cycle('routine');
    const incidents = await t.monitor.store.listIncidents({ limit: 10 });
    expect(incidents.map((i) => i.key)).toEqual(['disk.fill_predicted:pve1']);
    expect(incidents[0]!.summary).toMatch(/predicted to fill: full in 4\.\d days at \+5\.00\/day/);
    const tools = (await t.core.stores.audit.list({ limit: 10 })).map((r) => [
      r.tool,
      (r.args as { dryRun?: boolean }).dryRun,
    ]);
    expect(tools).toContainEqual(['cleanup_disk', true]);
    expect(tools).toContainEqual(['cleanup_disk', false]);
    const [action] = await t.monitor.store.recentActions({ limit: 5 });
    expect(action).toMatchObject({
      runbook: 'clean-filling-disk',
      tool: 'cleanup_disk',
      args: { node: 'pve1' },
      result: 'succeeded',
    });
    expect((await t.monitor.store.listIncidents({ limit: 10 })).map((i) => i.status)).toEqual(['resolved']);
    // The next sample shows the fall: a new trend starts, and nothing reopens.
    t.advance(2000);
    await t.cycle('routine');
    expect((await t.monitor.store.listIncidents({ limit: 10 })).map((i) => [i.key, i.status])).toEqual([
      ['disk.fill_predicted:pve1', 'resolved'],
    ]);
  });

  it('raises nothing for a noisy flat series', async () => {
    const s = await start();
    t = s.t;
    t.lab.state.setUsage('pve2', { diskPercent: 50 });
    const rand = noise(7);
    for (let h = 48; h >= 1; h--) await s.samples.record('pve2', 'disk.percent', 50 + rand() * 2, t.now() - h * HOUR);
    await t.cycle('routine');
    expect(await t.monitor.store.listIncidents({ limit: 10 })).toEqual([]);
    expect(await t.monitor.store.recentActions({ limit: 5 })).toEqual([]);
    // Judged, not skipped: 49 samples (one recorded by the cycle), too noisy for any trend.
    const points = await s.samples.series('pve2', 'disk.percent', 0);
    expect(points).toHaveLength(49);
    expect(['poor-fit', 'not-rising']).toContain(decideFillPredicted(points, t.now()).verdict);
  });
});

describe('samples and retention', () => {
  it('records disk and memory once per routine interval per node', async () => {
    const s = await start();
    t = s.t;
    await t.cycle('routine');
    await t.cycle('routine');
    expect(await s.samples.series('pve1', 'disk.percent', 0)).toHaveLength(1);
    expect(await s.samples.series('pve3', 'memory.percent', 0)).toHaveLength(1);
    t.advance(2000); // the harness's routineSeconds
    await t.cycle('routine');
    expect(await s.samples.series('pve1', 'disk.percent', 0)).toHaveLength(2);
  });

  it('the daily run deletes samples past sampleRetentionDays and settled notifications past outboxRetentionDays', async () => {
    const s = await start();
    t = s.t;
    const now = t.now();
    await s.samples.record('pve1', 'disk.percent', 40, now - 31 * DAY);
    await s.samples.record('pve1', 'disk.percent', 41, now - 29 * DAY);
    const outbox = t.core.stores.outbox;
    const row = { channel: 'email', kind: 'report' as const, incidentKey: null, payload: { subject: 's', body: 'b' } };
    const [oldDelivered, oldPending] = await outbox.add([row, row], now - 31 * DAY);
    const [recentDelivered] = await outbox.add([row], now - DAY);
    await outbox.claim({ owner: 'w', channels: ['email'], now, leaseMs: 60_000, digestMs: 0 });
    await outbox.markDelivered([oldDelivered!, recentDelivered!], 'w', now);
    await outbox.release([oldPending!], 'w');
    await t.monitor.runCycle('daily');
    expect((await s.samples.series('pve1', 'disk.percent', 0)).map((p) => p.value)).toEqual([41]);
    expect((await outbox.list()).map((r) => [r.id, r.status])).toEqual([
      [oldPending, 'pending'],
      [recentDelivered, 'delivered'],
    ]);
  });
});
