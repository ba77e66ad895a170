// Pins disk.fill_predicted detection: a fall of 5+ points starts a new trend, a predicted fill is a finding keyed by node, and an open incident whose prediction no longer holds is reported healthy.
import { describe, expect, it } from 'vitest';
import { detectFillPredicted } from '../../src/monitor/forecast.js';
import { trendSegment } from '../../src/util/trend.js';
import type { SamplePoint } from '../../src/db/samples.js';

const HOUR = 3_600_000;
const NOW = 1_700_000_000_000;
/** Hourly samples ending at NOW, oldest first. */
const hourly = (values: number[]): SamplePoint[] =>
  values.map((value, i) => ({ at: NOW - (values.length - 1 - i) * HOUR, value }));
const rising = (n: number, from: number, perHour: number) => Array.from({ length: n }, (_, i) => from + i * perHour);
const OPTS = { windowDays: 7, minR2: 0.8, minSamples: 6, minSpanHours: 6 };

describe('trendSegment', () => {
  it('keeps a series without a fall whole, and starts over after the last fall of 5 points or more', () => {
    const whole = hourly([50, 51, 49, 52, 53]);
    expect(trendSegment(whole)).toEqual(whole);
    const cut = hourly([60, 70, 80, 40, 41, 42, 45, 39, 40]);
    expect(trendSegment(cut).map((p) => p.value)).toEqual([39, 40]);
  });
});

describe('detectFillPredicted', () => {
  it('raises a finding for a node whose trend reaches 100 % inside the window', () => {
    const r = detectFillPredicted([{ node: 'pve1', points: hourly(rising(48, 70, 0.25)) }], NOW, OPTS, new Set());
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({
      key: 'disk.fill_predicted:pve1',
      condition: 'disk.fill_predicted',
      target: 'pve1',
      node: 'pve1',
      severity: 'warning',
    });
    expect(r.findings[0]!.details.daysToFull as number).toBeCloseTo((100 - (70 + 47 * 0.25)) / 6, 6);
    expect(r.healthy.size).toBe(0);
  });

  it('reports an open incident healthy after a cleanup fall, and raises nothing for a flat node', () => {
    const cleaned = hourly([...rising(48, 70, 0.25), 35]);
    const flat = hourly(rising(48, 40, 0));
    const open = new Set(['disk.fill_predicted:pve1', 'disk.fill_predicted:pve2']);
    const r = detectFillPredicted(
      [
        { node: 'pve1', points: cleaned },
        { node: 'pve2', points: flat },
      ],
      NOW,
      OPTS,
      open,
    );
    expect(r.findings).toEqual([]);
    expect([...r.healthy].sort()).toEqual([...open].sort());
  });
});
