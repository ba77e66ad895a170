// The test harness's throwaway PostgreSQL cluster starts on loopback, serves a fresh database per file, and stops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { POSTGRES, startPostgres, type RunningPostgres } from '../helpers/postgres.js';

describe.skipIf(!POSTGRES)('throwaway PostgreSQL cluster', () => {
  let server: RunningPostgres;
  beforeAll(async () => {
    server = await startPostgres(POSTGRES!);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('creates a database on 127.0.0.1 that takes queries', async () => {
    const url = await server.createDatabase('harness_check');
    expect(new URL(url).hostname).toBe('127.0.0.1');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    await client.end();
    expect(rows[0]?.db).toBe('harness_check');
  });
});
