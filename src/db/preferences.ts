/**
 * Persisted operator preferences: the kill switch and the autonomy level. Read fresh from SQLite
 * on every check, so a flip made by another process (CLI, `vigil mcp`, the daemon) wins at once.
 */
import type { Db } from './database.js';
import { AUTONOMY_LEVELS, KILL_SWITCH_SCOPES, type AutonomyLevel, type KillSwitchScope } from '../contracts/tiers.js';

export interface KillSwitchState {
  active: boolean;
  scope: KillSwitchScope;
  reason: string;
  /** When it was last changed (ms since epoch), null if never. */
  since: number | null;
  /** Who changed it last: "assistant:<id>", "operator", "cli". */
  by: string | null;
}

export const DEFAULT_AUTONOMY_LEVEL: AutonomyLevel = 3;
/** The rows' keys in the `preferences` table, the same on both engines. */
export const KILL_SWITCH_KEY = 'killswitch';
export const AUTONOMY_KEY = 'autonomy.level';

const OFF: KillSwitchState = { active: false, scope: 'autonomy', reason: '', since: null, by: null };

/** Reads the stored kill-switch value (undefined: never set, so off); both engines store the same text. */
export function readKillSwitch(text: string | undefined): KillSwitchState {
  if (text === undefined) return { ...OFF };
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
}

/** Reads the stored autonomy level (undefined: never set, so the default). */
export function readAutonomyLevel(text: string | undefined): AutonomyLevel {
  if (text === undefined) return DEFAULT_AUTONOMY_LEVEL;
  const level = Number(JSON.parse(text));
  // Unreadable means the most cautious level, never the most permissive.
  return AUTONOMY_LEVELS.includes(level as AutonomyLevel) ? (level as AutonomyLevel) : 0;
}

/** Creates the preference store over an open database. */
export function createPreferenceStore(db: Db) {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM preferences WHERE key = ?');
  const set = db.prepare(
    `INSERT INTO preferences (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );

  return {
    killSwitch: (): KillSwitchState => readKillSwitch(get.get(KILL_SWITCH_KEY)?.value),
    setKillSwitch(state: KillSwitchState, at: number): void {
      set.run(KILL_SWITCH_KEY, JSON.stringify(state), at);
    },
    autonomyLevel: (): AutonomyLevel => readAutonomyLevel(get.get(AUTONOMY_KEY)?.value),
    setAutonomyLevel(level: AutonomyLevel, at: number): void {
      set.run(AUTONOMY_KEY, JSON.stringify(level), at);
    },
  };
}

export type PreferenceStore = ReturnType<typeof createPreferenceStore>;
