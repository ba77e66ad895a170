/**
 * Whether vigil's database can take writes right now. On a full disk SQLite refuses writes
 * (SQLITE_FULL), and an action whose audit row cannot be written must not run; /healthz says so.
 * The probe rewrites a 64 KiB preference row and commits, so "ok" means the WAL had room for an
 * audit row and more a moment ago; it never throws.
 */
import type { Db } from './database.js';

export type StorageState = { ok: true } | { ok: false; reason: string };

const PROBE_KEY = 'storage.probe';
const PROBE_BYTES = 64 * 1024;
const FULL_CODES = new Set(['SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'SQLITE_IOERR_FSYNC', 'SQLITE_IOERR']);

export interface StorageProbe {
  /** Probes now, or answers the last result when it is younger than `maxAgeMs`. */
  check(maxAgeMs?: number): StorageState;
}

/** Builds the probe over an open database; `now` is the clock for `maxAgeMs`. */
export function createStorageProbe(db: Db, now: () => number = Date.now): StorageProbe {
  const put = db.prepare(
    `INSERT INTO preferences (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  let last: { state: StorageState; at: number } | undefined;
  let round = 0;
  return {
    check(maxAgeMs = 0) {
      const at = now();
      if (last && at - last.at < maxAgeMs) return last.state;
      let state: StorageState;
      try {
        // A different value each time, so every probe really writes its pages.
        round = (round + 1) % 10;
        put.run(PROBE_KEY, String(round).repeat(PROBE_BYTES), at);
        state = { ok: true };
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        const why = err instanceof Error ? err.message : String(err);
        state = {
          ok: false,
          reason: FULL_CODES.has(code)
            ? `vigil's database ${db.name} cannot be written (${why}; disk full?): no action is taken until there is space`
            : `vigil's database ${db.name} cannot be written (${why}): no action is taken until it can`,
        };
      }
      last = { state, at };
      return state;
    },
  };
}
