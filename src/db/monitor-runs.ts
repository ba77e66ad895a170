/**
 * The monitor_runs table (migration 2): the last run of each schedule (critical, routine, daily),
 * whichever process ran it. Self-watch reads it to report a schedule that missed its intervals.
 */
import type { Db } from './database.js';
import { monitorRunOf, type MonitorRun, type Row } from './rows.js';

export type { MonitorRun };

/** Creates the monitor-run store over an open database. */
export function createMonitorRunStore(db: Db) {
  const put = db.prepare(
    `INSERT INTO monitor_runs (kind, holder, started_at, finished_at, duration_ms, error, summary)
     VALUES (@kind, @holder, @startedAt, @finishedAt, @durationMs, @error, @summary)
     ON CONFLICT(kind) DO UPDATE SET holder = excluded.holder, started_at = excluded.started_at, finished_at = excluded.finished_at,
       duration_ms = excluded.duration_ms, error = excluded.error, summary = excluded.summary`,
  );
  const all = db.prepare('SELECT * FROM monitor_runs ORDER BY kind');

  return {
    /** Replaces the stored run of `run.kind`. */
    recordRun: (run: MonitorRun) => void put.run(run),
    runs: (): MonitorRun[] => (all.all() as Row[]).map(monitorRunOf),
  };
}

export type MonitorRunStore = ReturnType<typeof createMonitorRunStore>;
