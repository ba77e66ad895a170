/**
 * PostgreSQL connections for the store adapter: a pool from a `postgres://` URL, the type
 * parsing that makes rows read like better-sqlite3's (BIGINT columns as JS numbers: every one
 * holds a row id, a count or a time in ms, all below 2^53), and a transaction helper.
 */
import pg from 'pg';

export type Pool = pg.Pool;
export type Queryable = pg.Pool | pg.PoolClient | pg.Client;

const INT8 = 20;
const NUMERIC = 1700;

/** Type parsers for vigil's columns: int8 and numeric as numbers, the rest as pg's defaults. */
export function vigilTypes(): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: string) => {
      if (oid === INT8 || oid === NUMERIC) return (text: string) => Number(text);
      return pg.types.getTypeParser(oid, format as 'text');
    }) as pg.CustomTypesConfig['getTypeParser'],
  };
}

/** Checks that `url` is a PostgreSQL URL, naming the setting and the fix when it is not. */
export function checkPostgresUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('database.url is not a URL: use postgres://user:password@host:5432/database');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new Error(`database.url uses ${parsed.protocol}: use postgres://user:password@host:5432/database`);
  }
}

/** A pool of connections to `url`; `max` bounds the connections one daemon holds. */
export function createPgPool(url: string, max = 10): Pool {
  checkPostgresUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types: vigilTypes(),
    application_name: 'vigil',
    // An unreachable server fails a call within seconds (the storage probe then refuses actions)
    // instead of hanging it for the operating system's TCP timeout.
    connectionTimeoutMillis: 5000,
    keepAlive: true,
  });
  // An idle connection that the server drops must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Runs `fn` in one transaction on one pooled connection: COMMIT when it resolves, ROLLBACK when
 * it throws. `isolation` defaults to READ COMMITTED, PostgreSQL's own default.
 */
export async function inTransaction<T>(
  pool: Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  isolation: 'READ COMMITTED' | 'REPEATABLE READ' = 'READ COMMITTED',
): Promise<T> {
  const client = await pool.connect();
  let broken: unknown;
  try {
    await client.query(`BEGIN ISOLATION LEVEL ${isolation}`);
    const value = await fn(client);
    await client.query('COMMIT');
    return value;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackErr) {
      // A connection that cannot roll back is not handed to the next caller.
      broken = rollbackErr;
    }
    throw err;
  } finally {
    client.release(broken instanceof Error ? broken : undefined);
  }
}

/** The rows of `sql`, typed as the caller says. */
export async function rows<R>(db: Queryable, sql: string, params: unknown[] = []): Promise<R[]> {
  return (await db.query(sql, params)).rows as R[];
}

/** The first row of `sql`, or undefined. */
export async function one<R>(db: Queryable, sql: string, params: unknown[] = []): Promise<R | undefined> {
  return (await db.query(sql, params)).rows[0] as R | undefined;
}

/** How many rows `sql` changed. */
export async function changes(db: Queryable, sql: string, params: unknown[] = []): Promise<number> {
  return (await db.query(sql, params)).rowCount ?? 0;
}
