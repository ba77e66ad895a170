/**
 * Preferences on PostgreSQL: the kill switch and the autonomy level, shared by every daemon and
 * read fresh on every check, so engaging the switch on one daemon stops the other at its next
 * check. The reading rules (an unreadable value is the cautious one) are the SQLite store's.
 */
import type { AutonomyLevel } from '../../contracts/tiers.js';
import {
  AUTONOMY_KEY,
  KILL_SWITCH_KEY,
  readAutonomyLevel,
  readKillSwitch,
  type KillSwitchState,
} from '../preferences.js';
import type { PreferencePort } from '../ports.js';
import { one, type Queryable } from './pool.js';

/** Upserts one preference row. */
export async function putPreference(db: Queryable, key: string, value: string, at: number): Promise<void> {
  await db.query(
    `INSERT INTO preferences (key, value, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    [key, value, at],
  );
}

/** Creates the preference port over a pool (schema migrated). */
export function createPgPreferences(db: Queryable): PreferencePort {
  const get = async (key: string) =>
    (await one<{ value: string }>(db, 'SELECT value FROM preferences WHERE key = $1', [key]))?.value;
  return {
    killSwitch: async (): Promise<KillSwitchState> => readKillSwitch(await get(KILL_SWITCH_KEY)),
    setKillSwitch: (state: KillSwitchState, at: number) =>
      putPreference(db, KILL_SWITCH_KEY, JSON.stringify(state), at),
    autonomyLevel: async (): Promise<AutonomyLevel> => readAutonomyLevel(await get(AUTONOMY_KEY)),
    setAutonomyLevel: (level: AutonomyLevel, at: number) => putPreference(db, AUTONOMY_KEY, JSON.stringify(level), at),
  };
}
