// Pins opening the configured database: no database.url opens the SQLite file as a single daemon; an unreachable PostgreSQL is refused naming database.url and the fix, never the URL's password.
import { createServer } from 'node:net';
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
});
