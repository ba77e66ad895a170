/** `forecast_disk`: when a node's disks will fill, from the samples the monitor records (green). */
import { z } from 'zod';
import { defineTool } from '../tool.js';
import { NODE_NAME_RE } from '../../config/fields.js';
import { decideFillPredicted, FILL_VERDICTS, trendSegment } from '../../util/trend.js';

const DAY_MS = 86_400_000;

export const forecastDisk = defineTool({
  name: 'forecast_disk',
  title: 'Forecast disk fill',
  description:
    "Least-squares trend of a node's disk usage over the recorded samples (since the last cleanup-sized drop, as the monitor judges it): growth per day, days until full, fit (r²), and whether disk.fill_predicted would be raised.",
  tier: 'green',
  kind: 'infra',
  input: z.object({
    node: z.string().regex(NODE_NAME_RE).max(63),
    metric: z
      .string()
      .regex(/^disk\.[A-Za-z0-9_.:/-]+$/)
      .max(200)
      .optional()
      .describe('one series such as "disk.percent"; default every disk.* series of the node'),
    days: z.number().int().min(1).max(90).default(7).describe('how far back to fit'),
    windowDays: z
      .number()
      .min(0.1)
      .max(365)
      .optional()
      .describe('raise when full within this many days; default monitor.forecast.windowDays'),
  }),
  output: z.object({
    node: z.string(),
    windowDays: z.number().describe('disk.fill_predicted is raised when a disk fills within this many days'),
    forecasts: z.array(
      z.object({
        metric: z.string().describe('the sample series, e.g. disk.percent'),
        latest: z
          .object({ value: z.number().describe('percent used'), at: z.string().describe('ISO 8601 time') })
          .nullable()
          .describe('the newest sample'),
        fillPredicted: z.boolean().describe('whether the monitor would raise disk.fill_predicted'),
        verdict: z.enum(FILL_VERDICTS).describe('why it would or would not'),
        message: z.string().describe('the verdict in words'),
        slopePerDay: z.number().nullable().describe('growth in percentage points per day'),
        daysToFull: z.number().nullable().describe('days until 100 % at this trend; null when not rising'),
        r2: z.number().nullable().describe('fit of the trend, 0–1; higher is more trustworthy'),
        samples: z.number().int().describe('samples the trend was fitted over'),
      }),
    ),
  }),
  target: (args) => ({ node: args.node }),
  plan: (args) => `fit the disk usage trend of ${args.node} over ${args.days} days`,
  async handler(args, ctx) {
    const { samples } = ctx.deps.stores;
    const now = ctx.deps.now();
    const { sampleRetentionDays: _kept, ...settings } = ctx.deps.config.monitor.forecast;
    const windowDays = args.windowDays ?? settings.windowDays;
    const metrics = args.metric
      ? [args.metric]
      : (await samples.metrics(args.node)).filter((m) => m.startsWith('disk.'));
    const latests = await Promise.all(metrics.map((m) => samples.latest(args.node, m)));
    if (metrics.length === 0 || latests.every((l) => l === undefined)) {
      return {
        text: `No disk samples recorded for ${args.node}${args.metric ? ` (${args.metric})` : ''}; the monitor records them on its routine schedule.`,
        data: { node: args.node, windowDays, forecasts: [] },
      };
    }
    const forecasts = await Promise.all(
      metrics.map(async (metric) => {
        const points = await samples.series(args.node, metric, now - args.days * DAY_MS);
        // The same segment and thresholds the monitor uses, so the tool and the incident agree.
        const d = decideFillPredicted(trendSegment(points), now, { ...settings, windowDays });
        const latest = await samples.latest(args.node, metric);
        return {
          metric,
          latest: latest ? { value: latest.value, at: new Date(latest.at).toISOString() } : null,
          fillPredicted: d.raise,
          verdict: d.verdict,
          message: d.message,
          slopePerDay: d.trend?.slopePerDay ?? null,
          daysToFull: d.trend?.daysToFull ?? null,
          r2: d.trend?.r2 ?? null,
          samples: points.length,
        };
      }),
    );
    const lines = forecasts.map(
      (f) =>
        `${args.node} ${f.metric}: ${f.latest ? `${f.latest.value.toFixed(1)}% now; ` : ''}${f.message}${f.fillPredicted ? ' → disk.fill_predicted' : ''}`,
    );
    return { text: lines.join('\n'), data: { node: args.node, windowDays, forecasts } };
  },
});

export const forecastTools = [forecastDisk];
