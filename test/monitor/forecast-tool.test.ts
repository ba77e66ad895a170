// Pins the forecast_disk tool over recorded samples in a real database: every disk series of a node, days to full and the fill verdict, and a clear answer when nothing was recorded.
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createSqlitePorts } from '../../src/db/sqlite-ports.js';
import type { ToolDeps } from '../../src/mcp/deps.js';
import type { ObjectSchema, ToolContext, ToolDefinition } from '../../src/mcp/tool.js';
import { forecastDisk } from '../../src/mcp/tools/forecast.js';
import { openTracked, tempDbPath } from '../db/helpers.js';

const HOUR = 3_600_000;
const NOW = 1_700_000_000_000;

function setup() {
  const db = openTracked(tempDbPath());
  const forecast = { windowDays: 7, minR2: 0.8, minSamples: 6, minSpanHours: 6, sampleRetentionDays: 30 };
  const stores = createSqlitePorts(db);
  const deps = { stores, now: () => NOW, config: { monitor: { forecast } } } as unknown as ToolDeps;
  const ctx: ToolContext = {
    caller: { kind: 'assistant', id: 'test' },
    signal: new AbortController().signal,
    logger: pino({ level: 'silent' }),
    deps,
    assertMayAct: async () => undefined,
  };
  const call = <O extends ObjectSchema>(tool: ToolDefinition<ObjectSchema, O>, args: Record<string, unknown>) =>
    tool.handler(tool.input.parse(args), ctx);
  return { samples: stores.samples, call };
}

describe('forecast_disk', () => {
  it('forecasts each disk series of the node and says which would raise disk.fill_predicted', async () => {
    const { samples, call } = setup();
    for (let h = 48; h >= 0; h -= 1) {
      await samples.record('pve1', 'disk.percent', 85 - (h / 24) * 3, NOW - h * HOUR); // +3 %/day, 85 % now: full in 5 days
      await samples.record('pve1', 'disk.percent:/var', 40 + (h % 2) * 0.1, NOW - h * HOUR); // flat
      await samples.record('pve1', 'memory.percent', 50, NOW - h * HOUR);
    }
    const out = await call(forecastDisk, { node: 'pve1' });
    expect(out.text.split('\n')).toEqual([
      'pve1 disk.percent: 85.0% now; full in 5.0 days at +3.00/day (r² 1.00, 49 samples over 2.0 days) → disk.fill_predicted',
      expect.stringMatching(/^pve1 disk\.percent:\/var: 40\.\d% now; (not rising|too noisy to predict)/),
    ]);
    const [root] = out.data.forecasts;
    expect(root).toMatchObject({ fillPredicted: true, verdict: 'predicted' });
    expect(root?.daysToFull).toBeCloseTo(5, 6);

    const narrow = await call(forecastDisk, { node: 'pve1', metric: 'disk.percent', windowDays: 3 });
    expect(narrow.data.forecasts).toMatchObject([{ fillPredicted: false, verdict: 'outside-window' }]);
  });

  it('answers plainly when no samples were recorded, and refuses a metric that is not a disk series', async () => {
    const { call } = setup();
    expect((await call(forecastDisk, { node: 'pve2' })).text).toBe(
      'No disk samples recorded for pve2; the monitor records them on its routine schedule.',
    );
    expect(() => forecastDisk.input.parse({ node: 'pve1', metric: 'memory.percent' })).toThrow();
    expect(() => forecastDisk.input.parse({ node: '-rf' })).toThrow();
  });
});

describe('forecast_disk after a cleanup', () => {
  it('judges only the samples since the last cleanup-sized drop, as the monitor does', async () => {
    const { samples, call } = setup();
    for (let h = 48; h >= 4; h -= 1) await samples.record('pve1', 'disk.percent', 85 - (h / 24) * 3, NOW - h * HOUR);
    for (let h = 3; h >= 0; h -= 1) await samples.record('pve1', 'disk.percent', 60, NOW - h * HOUR);
    const out = await call(forecastDisk, { node: 'pve1', metric: 'disk.percent' });
    expect(out.data.forecasts).toMatchObject([{ fillPredicted: false, verdict: 'insufficient-data' }]);
  });
});
