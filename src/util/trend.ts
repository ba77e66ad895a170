/**
 * Least-squares trends and the pure `disk.fill_predicted` decision: an ordinary least-squares line
 * through samples (like Prometheus' `predict_linear`) and the verdict over it. Pure math with no
 * I/O and no clock (callers pass the samples and `now`), below the monitor so a tool or a route can
 * forecast without importing the monitor.
 */

/** One sample of a series: when, and the value (percent for `disk.percent`). */
export interface TrendPoint {
  at: number;
  value: number;
}

const DAY_MS = 86_400_000;

/** A fitted trend. Values are in the metric's units (percent for `disk.percent`). */
export interface Trend {
  /** Change per day along the fitted line. */
  slopePerDay: number;
  /** The fitted value at `now`. */
  fittedNow: number;
  /** Days from `now` until the fitted line reaches capacity; null when it is not rising. */
  daysToFull: number | null;
  /** Coefficient of determination of the fit, 0–1: how much of the variation the line explains. */
  r2: number;
  samples: number;
  spanDays: number;
}

/**
 * Fits value = a + b·t by least squares. Times are centred on their mean before fitting, so epoch
 * milliseconds do not cost precision. Returns null with fewer than two samples or no time span.
 */
export function fitTrend(points: readonly TrendPoint[], now: number, capacity = 100): Trend | null {
  const n = points.length;
  if (n < 2) return null;
  let sumT = 0;
  let sumV = 0;
  let minT = Infinity;
  let maxT = -Infinity;
  for (const p of points) {
    sumT += p.at;
    sumV += p.value;
    minT = Math.min(minT, p.at);
    maxT = Math.max(maxT, p.at);
  }
  if (maxT === minT) return null;
  const meanT = sumT / n;
  const meanV = sumV / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of points) {
    const x = (p.at - meanT) / DAY_MS;
    const y = p.value - meanV;
    sxx += x * x;
    sxy += x * y;
    syy += y * y;
  }
  const slopePerDay = sxy / sxx;
  // Residual sum of squares of the fitted line is syy - slope·sxy; a flat series is fitted exactly.
  const r2 = syy === 0 ? 1 : Math.min(1, Math.max(0, (slopePerDay * sxy) / syy));
  const fittedNow = meanV + slopePerDay * ((now - meanT) / DAY_MS);
  const daysToFull = slopePerDay > 0 ? Math.max(0, (capacity - fittedNow) / slopePerDay) : null;
  return { slopePerDay, fittedNow, daysToFull, r2, samples: n, spanDays: (maxT - minT) / DAY_MS };
}

/** Tuning of `disk.fill_predicted`. */
export interface FillPredictionOptions {
  /** Raise when the fitted line reaches capacity within this many days. */
  windowDays: number;
  /** Minimum r² of the fit; a noisy series predicts nothing. */
  minR2: number;
  /** Minimum number of samples and time they must span before any prediction. */
  minSamples: number;
  minSpanHours: number;
  /** Value that means full: 100 for percentages. */
  capacity: number;
}

export const FILL_PREDICTION_DEFAULTS: Readonly<FillPredictionOptions> = {
  windowDays: 7,
  minR2: 0.8,
  minSamples: 6,
  minSpanHours: 6,
  capacity: 100,
};

/** Why a series does or does not raise `disk.fill_predicted`, in the order they are checked. */
export const FILL_VERDICTS = ['insufficient-data', 'not-rising', 'poor-fit', 'outside-window', 'predicted'] as const;
export type FillVerdict = (typeof FILL_VERDICTS)[number];

export interface FillPrediction {
  raise: boolean;
  verdict: FillVerdict;
  /** One line for incidents, notifications and the `forecast_disk` tool. */
  message: string;
  trend: Trend | null;
}

/**
 * The `disk.fill_predicted` decision over one series. Checked in this order: enough samples over
 * enough time (else insufficient-data) → rising (else not-rising) → r² ≥ minR2 (else poor-fit) →
 * days to full ≤ windowDays (else outside-window) → predicted. Pure: same input, same answer.
 */
export function decideFillPredicted(
  points: readonly TrendPoint[],
  now: number,
  options: Partial<FillPredictionOptions> = {},
): FillPrediction {
  const o = { ...FILL_PREDICTION_DEFAULTS, ...options };
  const trend = fitTrend(points, now, o.capacity);
  const verdict = (v: FillVerdict, message: string): FillPrediction => ({
    raise: v === 'predicted',
    verdict: v,
    message,
    trend,
  });
  if (!trend || trend.samples < o.minSamples || trend.spanDays * 24 < o.minSpanHours) {
    return verdict(
      'insufficient-data',
      `not enough data: ${trend?.samples ?? points.length} samples over ${fmt((trend?.spanDays ?? 0) * 24)} h (need ${o.minSamples} over ${o.minSpanHours} h)`,
    );
  }
  const fit = `r² ${trend.r2.toFixed(2)}, ${trend.samples} samples over ${fmt(trend.spanDays)} days`;
  if (trend.daysToFull === null) return verdict('not-rising', `not rising (${signed(trend.slopePerDay)}/day, ${fit})`);
  if (trend.r2 < o.minR2) return verdict('poor-fit', `too noisy to predict (${fit}; need r² ≥ ${o.minR2})`);
  const when = `full in ${fmt(trend.daysToFull)} days at ${signed(trend.slopePerDay)}/day (${fit})`;
  if (trend.daysToFull > o.windowDays)
    return verdict('outside-window', `${when}; beyond the ${o.windowDays}-day window`);
  return verdict('predicted', when);
}

function fmt(x: number): string {
  return x >= 10 ? x.toFixed(0) : x.toFixed(1);
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
}

/** A fall of at least this many points between two samples starts a new trend (see trendSegment). */
export const TREND_RESET_DROP = 5;

/**
 * The samples since the last fall of at least `drop` between consecutive samples (all of them
 * when there was none). A cleanup, a rotation or a deleted file ends the growth it interrupted:
 * fitting across it would keep predicting a fill that the cleanup already pushed out of reach,
 * and the incident would reopen right after it resolved.
 */
export function trendSegment(points: readonly TrendPoint[], drop = TREND_RESET_DROP): readonly TrendPoint[] {
  for (let i = points.length - 1; i > 0; i--) {
    if ((points[i - 1] as TrendPoint).value - (points[i] as TrendPoint).value >= drop) return points.slice(i);
  }
  return points;
}
