/**
 * Copies an SQLite install's history into an empty PostgreSQL database (the core of
 * `vigil db migrate --to postgres://…`): every table of the common schema, rows with their ids,
 * the audit rows with their hashes and the recorded chain head, so `audit verify` passes on the
 * copy and the chain continues from where SQLite left it. Identity sequences are moved past the
 * copied ids. All in one transaction: a failed copy leaves the target empty.
 */
import type { Db } from '../database.js';
import type { AuditVerification } from '../audit-chain.js';
import { createPgAudit } from './audit.js';
import { inTransaction, one, type Pool } from './pool.js';
import { migratePg } from './schema.js';

/** Tables whose id is a PostgreSQL identity column (INTEGER PRIMARY KEY AUTOINCREMENT in SQLite). */
const IDENTITY_TABLES = ['events', 'incidents', 'autonomy_actions', 'silences', 'outbox'];
/** PostgreSQL's limit on bind parameters per statement is 65535; stay well under it. */
const MAX_PARAMS = 30_000;

export interface CopyReport {
  /** Rows copied per table. */
  tables: Record<string, number>;
  /** The audit chain as verified on the copy. */
  verification: AuditVerification;
}

/** Quotes an identifier that came from SQLite's own catalog. */
const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Copies `source` into the database behind `pool` (migrated first). Refuses a target that already
 * holds audit rows or events: merging two histories would break the chain.
 */
export async function copySqliteToPg(source: Db, pool: Pool): Promise<CopyReport> {
  await migratePg(pool);
  const tables = (
    source
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
      .all() as { name: string }[]
  ).map((t) => t.name);
  const copied: Record<string, number> = {};

  await inTransaction(pool, async (c) => {
    for (const table of ['audit', 'events']) {
      const n = (await one<{ n: number }>(c, `SELECT count(*) AS n FROM ${ident(table)}`))!.n;
      if (n > 0) {
        throw new Error(
          `the target database already holds ${n} ${table} rows: copy into an empty database (create a new one for vigil)`,
        );
      }
    }
    // Parents before children: autonomy_actions references incidents.
    const ordered = [...tables].sort((a, b) => Number(a === 'autonomy_actions') - Number(b === 'autonomy_actions'));
    for (const table of ordered) {
      const columns = (source.prepare(`PRAGMA table_info(${ident(table)})`).all() as { name: string }[]).map(
        (col) => col.name,
      );
      const perBatch = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
      // The source's preferences (kill switch, autonomy level, the chain head) replace the target's.
      if (table === 'preferences') await c.query('DELETE FROM preferences');
      let batch: unknown[][] = [];
      let count = 0;
      const flush = async () => {
        if (batch.length === 0) return;
        const values = batch.map((_, r) => `(${columns.map((__, k) => `$${r * columns.length + k + 1}`).join(', ')})`);
        try {
          await c.query(
            `INSERT INTO ${ident(table)} (${columns.map(ident).join(', ')}) ${
              IDENTITY_TABLES.includes(table) ? 'OVERRIDING SYSTEM VALUE ' : ''
            }VALUES ${values.join(', ')}`,
            batch.flat(),
          );
        } catch (err) {
          const why = err instanceof Error ? err.message : String(err);
          throw new Error(`copying table ${table} (rows ${count + 1}–${count + batch.length}) failed: ${why}`);
        }
        count += batch.length;
        batch = [];
      };
      for (const row of source.prepare(`SELECT * FROM ${ident(table)}`).iterate() as IterableIterator<
        Record<string, unknown>
      >) {
        batch.push(columns.map((col) => row[col] ?? null));
        if (batch.length >= perBatch) await flush();
      }
      await flush();
      copied[table] = count;
    }
    for (const table of IDENTITY_TABLES) {
      if (!tables.includes(table)) continue;
      // Next id after the copied ones (is_called = false when the table is empty: next is 1).
      await c.query(
        `SELECT setval(pg_get_serial_sequence($1, 'id'), coalesce(max(id), 1), max(id) IS NOT NULL) FROM ${ident(table)}`,
        [table],
      );
    }
  });

  return { tables: copied, verification: await createPgAudit(pool).verify() };
}
