/**
 * Disk fill detection: the `disk.fill_predicted` findings the monitor computes on its routine
 * schedule (right after it records a sample, so a fill is raised hours ahead, not a day late).
 * The trend math and the decision are in `src/util/trend.ts`; no I/O, no clock here either.
 */
import type { SamplePoint } from '../db/samples.js';
import { incidentKey } from '../contracts/conditions.js';
import type { Finding } from '../contracts/incidents.js';
import { decideFillPredicted, trendSegment, type FillPredictionOptions } from '../util/trend.js';

/** What `disk.fill_predicted` judges one node by: its recent `disk.percent` samples. */
export interface NodeDiskSeries {
  node: string;
  points: readonly SamplePoint[];
}

/**
 * The `disk.fill_predicted` findings of one routine cycle: per node, decideFillPredicted over the
 * trend segment of its series. A node whose prediction no longer holds (for any reason, including
 * too little data since a cleanup) is reported healthy when its incident is open, so it resolves.
 */
export function detectFillPredicted(
  series: readonly NodeDiskSeries[],
  now: number,
  options: Partial<FillPredictionOptions>,
  openKeys: ReadonlySet<string>,
): { findings: Finding[]; healthy: Set<string> } {
  const findings: Finding[] = [];
  const healthy = new Set<string>();
  for (const { node, points } of series) {
    const key = incidentKey('disk.fill_predicted', node);
    const d = decideFillPredicted(trendSegment(points), now, options);
    if (!d.raise || !d.trend) {
      if (openKeys.has(key)) healthy.add(key);
      continue;
    }
    const { daysToFull, slopePerDay, r2, fittedNow } = d.trend;
    findings.push({
      key,
      condition: 'disk.fill_predicted',
      target: node,
      node,
      severity: 'warning',
      summary: `root disk of ${node} is predicted to fill: ${d.message}`,
      details: { node, daysToFull, slopePerDay, r2, percent: fittedNow, samples: d.trend.samples },
    });
  }
  return { findings, healthy };
}
