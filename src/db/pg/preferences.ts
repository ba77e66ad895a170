/**
 * Preferences on PostgreSQL: the kill switch and the autonomy level, shared by every daemon and
 * read fresh on every check, so engaging the switch on one daemon stops the other at its next
 * check. The reading rules (an unreadable value is the cautious one) are the SQLite store's.
 */
import {
  AUTONOMY_LEVELS,
  KILL_SWITCH_SCOPES,
  type AutonomyLevel,
  type KillSwitchScope,
} from '../../contracts/tiers.js';
import { DEFAULT_AUTONOMY_LEVEL, type KillSwitchState } from '../preferences.js';
import type { PreferencePort } from '../ports.js';
import { one, type Queryable } from './pool.js';

const KILL_SWITCH_KEY = 'killswitch';
const AUTONOMY_KEY = 'autonomy.level';

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
    async killSwitch(): Promise<KillSwitchState> {
      const text = await get(KILL_SWITCH_KEY);
      if (text === undefined) return { active: false, scope: 'autonomy', reason: '', since: null, by: null };
      const stored = JSON.parse(text) as Partial<KillSwitchState>;
      // A stored value this version cannot read must not silently disengage the switch.
      const scope = KILL_SWITCH_SCOPES.includes(stored.scope as KillSwitchScope) ? stored.scope! : 'all';
      return {
        active: stored.active !== false,
        scope,
        reason: stored.reason ?? '',
        since: stored.since ?? null,
        by: stored.by ?? null,
      };
    },
    setKillSwitch: (state: KillSwitchState, at: number) =>
      putPreference(db, KILL_SWITCH_KEY, JSON.stringify(state), at),
    async autonomyLevel(): Promise<AutonomyLevel> {
      const text = await get(AUTONOMY_KEY);
      if (text === undefined) return DEFAULT_AUTONOMY_LEVEL;
      const level = Number(JSON.parse(text));
      // Unreadable means the most cautious level, never the most permissive.
      return AUTONOMY_LEVELS.includes(level as AutonomyLevel) ? (level as AutonomyLevel) : 0;
    },
    setAutonomyLevel: (level: AutonomyLevel, at: number) => putPreference(db, AUTONOMY_KEY, JSON.stringify(level), at),
  };
}
