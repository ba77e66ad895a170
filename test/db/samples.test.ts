// Pins the sample store: series per node and metric in time order, non-finite readings ignored, pruning by retention.
import { describe, expect, it } from 'vitest';
import { createSampleStore } from '../../src/db/samples.js';
import { openTracked, tempDbPath } from './helpers.js';

const T = 1_700_000_000_000;
const DAY = 86_400_000;

describe('samples', () => {
  it('records and reads series per node and metric, oldest first', () => {
    const s = createSampleStore(openTracked(tempDbPath()));
    s.record('pve1', 'disk.percent', 51, T + 2000);
    s.record('pve1', 'disk.percent', 50, T + 1000);
    s.record('pve1', 'memory.percent', 20, T + 1000);
    s.record('pve2', 'disk.percent', 90, T + 1000);
    s.record('pve1', 'disk.percent', Number.NaN, T + 3000);
    s.record('pve1', 'disk.percent', Number.POSITIVE_INFINITY, T + 4000);
    expect(s.series('pve1', 'disk.percent', T)).toEqual([
      { at: T + 1000, value: 50 },
      { at: T + 2000, value: 51 },
    ]);
    expect(s.series('pve1', 'disk.percent', T + 1500)).toEqual([{ at: T + 2000, value: 51 }]);
    expect(s.latest('pve1', 'disk.percent')).toEqual({ at: T + 2000, value: 51 });
    expect(s.latest('pve3', 'disk.percent')).toBeUndefined();
    expect(s.metrics('pve1')).toEqual(['disk.percent', 'memory.percent']);
    expect(s.nodes()).toEqual(['pve1', 'pve2']);
  });

  it('prunes observations older than the retention, keeping the rest', () => {
    const s = createSampleStore(openTracked(tempDbPath()));
    for (let d = 0; d < 40; d += 1) s.record('pve1', 'disk.percent', d, T + d * DAY);
    expect(s.prune(T + 40 * DAY, 30 * DAY)).toBe(10);
    const left = s.series('pve1', 'disk.percent', 0);
    expect(left).toHaveLength(30);
    expect(left[0]).toEqual({ at: T + 10 * DAY, value: 10 });
    expect(s.prune(T + 40 * DAY, 30 * DAY)).toBe(0);
  });
});
