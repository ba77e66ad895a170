// Pins opening the configured database: no database.url opens the SQLite file as a single daemon without loading pg; an unreachable PostgreSQL is refused naming database.url and the fix, never the URL's password.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../../src/db/open.js';
import { tempDbPath } from './helpers.js';

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('openStorage', () => {
  it('without database.url: the SQLite file, one daemon that always leads', async () => {
    const { stores, ha } = await openStorage({
      database: { path: tempDbPath() },
      now: Date.now,
      compete: true,
      intervalMs: 1000,
    });
    try {
      expect(stores.engine).toBe('sqlite');
      expect(ha).toMatchObject({ engine: 'sqlite', role: 'single', epoch: null });
      expect(ha.leading()).toBe(true);
      expect(await ha.daemons()).toEqual([]);
    } finally {
      await ha.stop();
      await stores.close();
    }
  });

  it('an unreachable PostgreSQL: refused naming database.url and the fix, without the password', async () => {
    const url = `postgres://vigil:pw-not-in-messages@127.0.0.1:${await closedPort()}/vigil`;
    const opening = openStorage({
      database: { path: tempDbPath(), url },
      now: Date.now,
      compete: true,
      intervalMs: 1000,
    });
    await expect(opening).rejects.toThrow(
      /^database\.url: cannot open the PostgreSQL database \(.*\); check that the server runs/,
    );
    await expect(opening).rejects.not.toThrow(/pw-not-in-messages/);
  });
  it('without database.url, pg is never loaded (an SQLite daemon does not carry it)', () => {
    const root = join(import.meta.dirname, '..', '..');
    const script = [
      "import { createRequire } from 'node:module';",
      "import { openStorage } from './src/db/open.ts';",
      `const { stores, ha } = await openStorage({ database: { path: ${JSON.stringify(join(mkdtempSync(join(tmpdir(), 'vigil-db-')), 'v.db'))} }, now: Date.now, compete: true, intervalMs: 1000 });`,
      'await ha.stop(); await stores.close();',
      'const cache = Object.keys(createRequire(import.meta.url).cache);',
      'console.log(JSON.stringify({ pg: cache.filter((k) => /node_modules[\\/]pg[\\/]/.test(k)).length, sqlite: cache.filter((k) => /better-sqlite3/.test(k)).length }));',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root });
    expect(r.stderr.toString()).toBe('');
    const loaded = JSON.parse(r.stdout.toString()) as { pg: number; sqlite: number };
    expect(loaded.sqlite).toBeGreaterThan(0);
    expect(loaded.pg).toBe(0);
  });
});
