// Pins that stopping the monitor waits for a cycle under way (so none outlives the stores and clients the daemon closes next) and starts no cycle after.
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startMonitorLab, type MonitorLab } from './harness.js';
import type { SampleStorePort } from '../../src/monitor/ports.js';

let t: MonitorLab | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('monitor shutdown', () => {
  it('waits for the cycle under way, then refuses new ones', async () => {
    let release: (() => void) | undefined;
    // The daily cycle prunes samples first; this prune holds until the test releases it.
    const samples: SampleStorePort = {
      record: async () => undefined,
      latest: async () => undefined,
      series: async () => [],
      prune: () => new Promise<number>((r) => (release = () => r(0))),
    };
    t = await startMonitorLab({ deps: { samples } });
    const daily = t.monitor.runCycle('daily');
    await eventually(() => release !== undefined, 10_000, 'the daily cycle to reach its prune');

    let stopped = false;
    const shutdown = t.monitor.shutdown().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);

    release!();
    await shutdown;
    expect((await daily).skipped).toBeUndefined();
    const runs = await t.monitor.store.runs();
    expect(runs.filter((r) => r.kind === 'daily')).toHaveLength(1);

    expect((await t.monitor.runCycle('critical')).skipped).toBe('stopping');
  });
});
