/** The silences table (migration 2): maintenance windows during which matching incidents take no action. */
import type { Db } from './database.js';
import { silenceOf, type Row, type Silence } from './rows.js';

export type { Silence };

/** Creates the silence store over an open database. */
export function createSilenceStore(db: Db) {
  const insert = db.prepare(
    'INSERT INTO silences (matcher, reason, created_by, starts_at, ends_at, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const active = db.prepare('SELECT * FROM silences WHERE starts_at <= ? AND ends_at > ? ORDER BY id');
  const end = db.prepare('UPDATE silences SET ends_at = ? WHERE id = ? AND ends_at > ?');

  return {
    addSilence(s: Omit<Silence, 'id'>, at: number): number {
      return Number(insert.run(s.matcher, s.reason, s.createdBy, s.startsAt, s.endsAt, at).lastInsertRowid);
    },
    activeSilences: (at: number): Silence[] => (active.all(at, at) as Row[]).map(silenceOf),
    /** Ends an active silence now; false when it had ended already. */
    endSilence: (id: number, at: number): boolean => end.run(at, id, at).changes === 1,
  };
}

export type SilenceStore = ReturnType<typeof createSilenceStore>;
