// Pins `vigil db migrate --to`: an SQLite install with history lands in an empty PostgreSQL with its audit chain verifying there; a second run, a bad URL or a missing source is refused with the fix named; the URL's password is never printed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/db/database.js';
import { createStores } from '../../src/db/stores.js';
import { openPgStores } from '../../src/db/pg/stores.js';
import { redactUrl, scrubPassword } from '../../src/commands/db.js';
import { POSTGRES, startPostgres, type RunningPostgres } from '../helpers/postgres.js';
import { runCli } from '../helpers/vigil.js';
import { entry } from '../db/helpers.js';

const PASSWORD = 'pw-n0t-f0r-print';
const TOKENS = {
  VIGIL_ASSISTANT_TOKEN: 'assistant-token-0123456789',
  VIGIL_OPERATOR_TOKEN: 'operator-token-0123456789',
};

/** The URL of `database` on the test cluster, with a password (trust auth accepts any). */
const withPassword = (url: string): string => url.replace('postgres://vigil@', `postgres://vigil:${PASSWORD}@`);

describe('redacting a database URL', () => {
  it('replaces the password, raw and percent-decoded, and refuses to echo an unparsable URL', () => {
    expect(redactUrl('postgres://u:s%40cret@h:5432/db')).toBe('postgres://u:***@h:5432/db');
    expect(redactUrl('postgres://u@h/db')).toBe('postgres://u@h/db');
    expect(redactUrl('not a url')).toBeNull();
    expect(scrubPassword('auth failed for s@cret and s%40cret', 'postgres://u:s%40cret@h/db')).toBe(
      'auth failed for *** and ***',
    );
  });
});

describe.skipIf(!POSTGRES)('vigil db migrate', () => {
  let server: RunningPostgres;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-dbmig-'));
  const configFile = join(dir, 'vigil.yaml');
  const source = join(dir, 'vigil.db');
  const migrate = (to: string, config = configFile) =>
    runCli(['db', 'migrate', '--to', to, '--config', config], TOKENS);

  beforeAll(async () => {
    server = await startPostgres(POSTGRES!);
    writeFileSync(
      configFile,
      `auth:\n  assistantToken: \${env:VIGIL_ASSISTANT_TOKEN}\n  operatorToken: \${env:VIGIL_OPERATOR_TOKEN}\ndatabase:\n  path: ./vigil.db\n`,
    );
    const db = openDatabase(source);
    const stores = createStores(db);
    for (let i = 0; i < 25; i += 1) stores.audit.append(entry(i));
    for (let i = 0; i < 7; i += 1)
      stores.events.append({ type: 'tool.executed', severity: 'info', title: `e${i}`, message: '' }, 1_700_000_000_000);
    stores.preferences.setAutonomyLevel(2, 1_700_000_000_000);
    db.close();
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies the history into an empty database, the chain verifying there, and refuses a second run', async () => {
    const url = withPassword(await server.createDatabase('migrate_target'));
    const first = await migrate(url);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('audit 25');
    expect(first.stdout).toContain('events 7');
    expect(first.stdout).toContain('audit chain verified on PostgreSQL: 25 rows');
    expect(first.stdout).toContain(`postgres://vigil:***@127.0.0.1:${server.port}/migrate_target`);

    const pg = await openPgStores(url);
    try {
      expect(await pg.audit.verify()).toEqual({ ok: true, rows: 25 });
      expect(await pg.events.lastId()).toBe(7);
      expect(await pg.preferences.autonomyLevel()).toBe(2);
    } finally {
      await pg.close();
    }

    // The daemon's own check, on the config switched to the copy.
    const pgConfig = join(dir, 'pg.yaml');
    writeFileSync(
      pgConfig,
      `auth:\n  assistantToken: \${env:VIGIL_ASSISTANT_TOKEN}\n  operatorToken: \${env:VIGIL_OPERATOR_TOKEN}\ndatabase:\n  url: ${url}\n`,
    );
    const verify = await runCli(['audit', 'verify', '--config', pgConfig], TOKENS);
    expect(verify.stdout).toContain('audit log intact: 25 rows, hash chain verified');
    expect(verify.code).toBe(0);

    const second = await migrate(url);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/already holds 25 audit rows: copy into an empty database/);
    for (const run of [first, verify, second]) expect(run.stdout + run.stderr).not.toContain(PASSWORD);
  });

  it('refuses a bad URL with the expected shape, without echoing it', async () => {
    const cases: Array<[string, RegExp]> = [
      [
        `mysql://vigil:${PASSWORD}@127.0.0.1/db`,
        /--to is not a postgres:\/\/ URL; use postgres:\/\/USER:PASSWORD@HOST/,
      ],
      [`vigil ${PASSWORD} nowhere`, /--to is not a URL; use postgres:\/\//],
      [`postgres://vigil:${PASSWORD}@127.0.0.1:${server.port}`, /names no database/],
    ];
    for (const [to, message] of cases) {
      const run = await migrate(to);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout + run.stderr).not.toContain(PASSWORD);
    }
  });

  it('names the fix when the target cannot be reached or does not exist, without the password', async () => {
    const missing = await migrate(withPassword(server.url('no_such_db')));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no_such_db.*does not exist; create it first/);
    expect(missing.stdout + missing.stderr).not.toContain(PASSWORD);
  });

  it('refuses when the config names no SQLite file to copy', async () => {
    const other = join(dir, 'empty.yaml');
    writeFileSync(
      other,
      `auth:\n  assistantToken: \${env:VIGIL_ASSISTANT_TOKEN}\n  operatorToken: \${env:VIGIL_OPERATOR_TOKEN}\ndatabase:\n  path: ./absent.db\n`,
    );
    const run = await migrate(withPassword(server.url('postgres')), other);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no SQLite database at .*absent\.db \(database\.path\): nothing to migrate/);
  });
});
