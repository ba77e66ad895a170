// Pins the disk fill forecast: least-squares days-to-full within 5 % of the truth on noisy synthetic series, and a poor fit never raising disk.fill_predicted.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decideFillPredicted, fitTrend, FILL_PREDICTION_DEFAULTS } from '../../src/util/trend.js';
import type { SamplePoint } from '../../src/db/samples.js';
import { seededRandom } from '../../src/util/random.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = 1_700_000_000_000;

/** Hourly samples of intercept + slope·days + uniform noise in [-amplitude, amplitude]. */
function series(o: {
  intercept: number;
  slopePerDay: number;
  noise: number;
  seed: number;
  hours: number;
}): SamplePoint[] {
  const rand = seededRandom(o.seed);
  return Array.from({ length: o.hours + 1 }, (_, h) => ({
    at: T0 + h * HOUR,
    value: o.intercept + o.slopePerDay * (h / 24) + (rand() * 2 - 1) * o.noise,
  }));
}

describe('fitTrend', () => {
  it('recovers an exact line', () => {
    const points = series({ intercept: 40, slopePerDay: 2, noise: 0, seed: 1, hours: 48 });
    const trend = fitTrend(points, T0 + 2 * DAY)!;
    expect(trend.slopePerDay).toBeCloseTo(2, 9);
    expect(trend.fittedNow).toBeCloseTo(44, 9);
    expect(trend.daysToFull).toBeCloseTo(28, 9);
    expect(trend.r2).toBeCloseTo(1, 9);
    expect(trend.spanDays).toBe(2);
  });

  it('has no days-to-full for a flat or falling series, and no trend without a time span', () => {
    expect(
      fitTrend(series({ intercept: 50, slopePerDay: 0, noise: 0, seed: 1, hours: 10 }), T0)?.daysToFull,
    ).toBeNull();
    expect(
      fitTrend(series({ intercept: 50, slopePerDay: -1, noise: 0, seed: 1, hours: 10 }), T0)?.daysToFull,
    ).toBeNull();
    expect(
      fitTrend(
        [
          { at: T0, value: 1 },
          { at: T0, value: 2 },
        ],
        T0,
      ),
    ).toBeNull();
    expect(fitTrend([{ at: T0, value: 1 }], T0)).toBeNull();
  });

  it('days-to-full lies within 5 % of the true one for any slope and intercept with small noise', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.1, noNaN: true }),
        fc.integer(),
        (slopePerDay, fraction, noise, seed) => {
          const hours = 72;
          // Keep the whole series at most 90 % full, so there is room left to predict.
          const intercept = 5 + fraction * (85 - slopePerDay * (hours / 24));
          fc.pre(intercept >= 1);
          const now = T0 + hours * HOUR;
          const truth = (100 - (intercept + slopePerDay * (hours / 24))) / slopePerDay;
          const trend = fitTrend(series({ intercept, slopePerDay, noise, seed, hours }), now)!;
          expect(Math.abs(trend.slopePerDay - slopePerDay) / slopePerDay).toBeLessThan(0.05);
          expect(Math.abs(trend.daysToFull! - truth) / truth).toBeLessThan(0.05);
          const decision = decideFillPredicted(series({ intercept, slopePerDay, noise, seed, hours }), now);
          if (truth < FILL_PREDICTION_DEFAULTS.windowDays * 0.95) expect(decision.verdict).toBe('predicted');
          if (truth > FILL_PREDICTION_DEFAULTS.windowDays * 1.05) expect(decision.verdict).toBe('outside-window');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('decideFillPredicted', () => {
  it('raises a disk that fills within the window, saying when', () => {
    const now = T0 + 2 * DAY;
    const d = decideFillPredicted(series({ intercept: 80, slopePerDay: 4, noise: 0.2, seed: 7, hours: 48 }), now);
    expect(d).toMatchObject({ raise: true, verdict: 'predicted' });
    expect(d.message).toMatch(/^full in 3\.0 days at \+4\.\d\d\/day \(r² 1\.00, 49 samples over 2\.0 days\)$/);
  });

  it('noise below the fit threshold raises nothing, even where the fitted line would fill the disk in the window', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        // A real rise of 3 %/day from 80 % (full in under a week) buried in ±15 points of noise.
        const points = series({ intercept: 80, slopePerDay: 3, noise: 15, seed, hours: 48 });
        const d = decideFillPredicted(points, T0 + 2 * DAY);
        expect(d.raise).toBe(false);
        expect(d.trend!.r2).toBeLessThan(FILL_PREDICTION_DEFAULTS.minR2);
        if (d.trend!.daysToFull !== null) expect(d.verdict).toBe('poor-fit');
      }),
      { numRuns: 200 },
    );
  });

  it('needs enough samples over enough time, and a rising series', () => {
    const few = series({ intercept: 90, slopePerDay: 20, noise: 0, seed: 1, hours: 4 });
    expect(decideFillPredicted(few, T0 + 4 * HOUR)).toMatchObject({ raise: false, verdict: 'insufficient-data' });
    expect(decideFillPredicted([], T0).verdict).toBe('insufficient-data');
    const falling = series({ intercept: 90, slopePerDay: -2, noise: 0.1, seed: 1, hours: 48 });
    expect(decideFillPredicted(falling, T0 + 2 * DAY)).toMatchObject({ raise: false, verdict: 'not-rising' });
    const slow = series({ intercept: 50, slopePerDay: 1, noise: 0.1, seed: 1, hours: 48 });
    expect(decideFillPredicted(slow, T0 + 2 * DAY)).toMatchObject({ raise: false, verdict: 'outside-window' });
    expect(decideFillPredicted(slow, T0 + 2 * DAY, { windowDays: 60 }).raise).toBe(true);
  });

  it('raises only with a fit at the threshold and days-to-full inside the window, for any series', () => {
    const point = fc.record({
      at: fc.integer({ min: T0, max: T0 + 10 * DAY }),
      value: fc.double({ min: 0, max: 100, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(point, { maxLength: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), (points, minR2) => {
        const d = decideFillPredicted(points, T0 + 10 * DAY, { minR2 });
        if (!d.raise) return;
        expect(d.trend!.r2).toBeGreaterThanOrEqual(minR2);
        expect(d.trend!.daysToFull!).toBeLessThanOrEqual(FILL_PREDICTION_DEFAULTS.windowDays);
        expect(d.trend!.samples).toBeGreaterThanOrEqual(FILL_PREDICTION_DEFAULTS.minSamples);
      }),
    );
  });
});
