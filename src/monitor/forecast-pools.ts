/**
 * Days-to-critical forecasts shown in storage.high and memory.high incidents: a least-squares
 * line through the stored samples of the pool or node (util/trend.ts), with r² as the confidence.
 * Pure: samples and `now` come in, an annotation goes out; no forecast with too few samples.
 */
import type { Finding } from '../contracts/incidents.js';
import { fitTrend, type TrendPoint } from '../util/trend.js';

/** What an incident shows: days until 100 % at the current rate (null: not rising), and the fit's r². */
export interface ForecastNote {
  daysToCritical: number | null;
  r2: number;
  samples: number;
}

/** The sample metric a storage pool's usage is recorded under (per node, like disk.percent). */
export const storageMetric = (storage: string) => `storage.${storage}.percent`;

/** The forecast over `points`, or null with fewer than `minSamples` samples. */
export function forecastNote(points: readonly TrendPoint[], now: number, minSamples: number): ForecastNote | null {
  if (points.length < minSamples) return null;
  const t = fitTrend(points, now, 100);
  if (!t) return null;
  return {
    daysToCritical: t.daysToFull === null ? null : Math.round(t.daysToFull * 10) / 10,
    r2: Math.round(t.r2 * 100) / 100,
    samples: t.samples,
  };
}

/** The finding with its forecast in `details.forecast` and a sentence in the summary. */
export function withForecast(f: Finding, note: ForecastNote | null): Finding {
  if (!note) return f;
  const when = note.daysToCritical === null ? 'not rising' : `full in ${note.daysToCritical} days at the current rate`;
  return { ...f, summary: `${f.summary}; ${when} (r² ${note.r2})`, details: { ...f.details, forecast: note } };
}
