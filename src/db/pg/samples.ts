/**
 * Metric samples on PostgreSQL (trend forecasts), and the storage probe: whether the database takes
 * writes right now. The sample rules (non-finite values are not measurements, times are whole ms)
 * are the SQLite store's; names sort bytewise (COLLATE "C") as SQLite sorts them.
 */
import type { SamplePoint } from '../samples.js';
import type { SamplePort, StoragePort } from '../ports.js';
import type { StorageState } from '../storage.js';
import { changes, one, rows, type Pool } from './pool.js';
import { putPreference } from './preferences.js';

/** Creates the sample port over a pool (schema migrated). */
export function createPgSamples(pool: Pool): SamplePort {
  return {
    async record(node: string, metric: string, value: number, at: number) {
      if (!Number.isFinite(value) || !Number.isFinite(at)) return;
      await pool.query('INSERT INTO samples (node, metric, value, at) VALUES ($1, $2, $3, $4)', [
        node,
        metric,
        value,
        Math.trunc(at),
      ]);
    },
    series: (node: string, metric: string, since: number, limit = 100_000) =>
      rows<SamplePoint>(
        pool,
        'SELECT at, value FROM samples WHERE node = $1 AND metric = $2 AND at >= $3 ORDER BY at LIMIT $4',
        [node, metric, since, limit],
      ),
    latest: (node: string, metric: string) =>
      one<SamplePoint>(pool, 'SELECT at, value FROM samples WHERE node = $1 AND metric = $2 ORDER BY at DESC LIMIT 1', [
        node,
        metric,
      ]),
    metrics: async (node: string) =>
      (
        await rows<{ metric: string }>(
          pool,
          'SELECT DISTINCT metric COLLATE "C" AS metric FROM samples WHERE node = $1 ORDER BY 1',
          [node],
        )
      ).map((r) => r.metric),
    nodes: async () =>
      (await rows<{ node: string }>(pool, 'SELECT DISTINCT node COLLATE "C" AS node FROM samples ORDER BY 1')).map(
        (r) => r.node,
      ),
    prune: (now: number, retentionMs: number) =>
      changes(pool, 'DELETE FROM samples WHERE at < $1', [now - retentionMs]),
  };
}

const PROBE_KEY = 'storage.probe';
const PROBE_BYTES = 64 * 1024;
/** SQLSTATE class 53: insufficient resources (53100 disk full, 53200 out of memory, 53300 too many connections). */
const RESOURCE_CLASS = '53';

/**
 * The storage probe over PostgreSQL: rewrites a 64 KiB preference row, as the SQLite probe does,
 * so "ok" means a write with room to spare committed a moment ago. An unreachable server is a
 * refusal too: an action whose audit row cannot be written must not run. It never throws.
 */
export function createPgStorageProbe(pool: Pool, now: () => number = Date.now): StoragePort {
  let last: { state: StorageState; at: number } | undefined;
  let round = 0;
  return {
    async check(maxAgeMs = 0) {
      const at = now();
      if (last && at - last.at < maxAgeMs) return last.state;
      let state: StorageState;
      try {
        round = (round + 1) % 10;
        await putPreference(pool, PROBE_KEY, String(round).repeat(PROBE_BYTES), at);
        state = { ok: true };
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        const why = err instanceof Error ? err.message : String(err);
        state = {
          ok: false,
          reason: code.startsWith(RESOURCE_CLASS)
            ? `vigil's PostgreSQL database cannot be written (${why}; disk full?): no action is taken until it can`
            : `vigil's PostgreSQL database cannot be written (${why}): no action is taken until it can`,
        };
      }
      last = { state, at };
      return state;
    },
  };
}
