/**
 * Time series of numeric observations per node and metric (e.g. `disk.percent`), kept for trend
 * forecasts (`disk.fill_predicted`, `forecast_disk`) and pruned by retention on the daily schedule.
 */
import { boundLimit, type Db } from './database.js';

/** One observation: `at` in ms since the epoch. */
export interface SamplePoint {
  at: number;
  value: number;
}

/** What the monitor needs to record observations; the sample store satisfies it. */
export interface SampleRecorder {
  /** Stores one observation. Non-finite values are ignored: a failed read is not a measurement. */
  record(node: string, metric: string, value: number, at: number): void;
}

/** Creates the sample store over an open database. */
export function createSampleStore(db: Db) {
  const insert = db.prepare('INSERT INTO samples (node, metric, value, at) VALUES (?, ?, ?, ?)');
  const series = db.prepare<[string, string, number, number], SamplePoint>(
    `SELECT at, value FROM samples WHERE node = ? AND metric = ? AND at >= ? ORDER BY at ${boundLimit()}`,
  );
  const metrics = db.prepare<[string], { metric: string }>(
    'SELECT DISTINCT metric FROM samples WHERE node = ? ORDER BY metric',
  );
  const nodes = db.prepare<[], { node: string }>('SELECT DISTINCT node FROM samples ORDER BY node');
  const latest = db.prepare<[string, string], SamplePoint>(
    'SELECT at, value FROM samples WHERE node = ? AND metric = ? ORDER BY at DESC LIMIT 1',
  );
  const prune = db.prepare('DELETE FROM samples WHERE at < ?');

  return {
    record(node: string, metric: string, value: number, at: number): void {
      if (!Number.isFinite(value) || !Number.isFinite(at)) return;
      insert.run(node, metric, value, Math.trunc(at));
    },
    /** Observations of one series at or after `since`, oldest first (at most `limit`). */
    series(node: string, metric: string, since: number, limit = 100_000): SamplePoint[] {
      return series.all(node, metric, since, limit);
    },
    latest(node: string, metric: string): SamplePoint | undefined {
      return latest.get(node, metric);
    },
    /** Metric names recorded for `node`. */
    metrics(node: string): string[] {
      return metrics.all(node).map((r) => r.metric);
    },
    /** Nodes with any recorded observation. */
    nodes(): string[] {
      return nodes.all().map((r) => r.node);
    },
    /** Deletes observations older than `retentionMs` before `now`; returns how many. */
    prune(now: number, retentionMs: number): number {
      return prune.run(now - retentionMs).changes;
    },
  };
}

export type SampleStore = ReturnType<typeof createSampleStore>;
