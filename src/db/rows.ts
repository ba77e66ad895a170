/** Helpers shared by the table modules for reading better-sqlite3 rows. */

/** A row as better-sqlite3 returns it, before mapping to a typed record. */
export type Row = Record<string, unknown>;

/** Parses a JSON object column; an empty or NULL column reads as `{}`. */
export function jsonObject(v: unknown): Record<string, unknown> {
  return typeof v === 'string' && v !== '' ? (JSON.parse(v) as Record<string, unknown>) : {};
}
