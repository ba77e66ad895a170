// Pins failing safe when PostgreSQL goes away: the leader steps down, fenced writes and the storage probe refuse, and after the server returns a daemon leads again under a new epoch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeadership } from '../../../src/db/pg/leader.js';
import { openPgStores } from '../../../src/db/pg/stores.js';
import type { StorePorts } from '../../../src/db/ports.js';
import { POSTGRES, startPostgres, type RunningPostgres } from '../../helpers/postgres.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `done` until it holds, at most `rounds` times: progress is asserted, never elapsed time. */
async function until(done: () => boolean | Promise<boolean>, what: string, rounds = 200): Promise<void> {
  for (let i = 0; i < rounds; i += 1) {
    if (await done()) return;
    await sleep(50);
  }
  throw new Error(`gave up waiting until ${what}`);
}

describe.skipIf(!POSTGRES)('a PostgreSQL outage', () => {
  let server: RunningPostgres;
  let ports: StorePorts | undefined;
  beforeAll(async () => {
    server = await startPostgres(POSTGRES!);
  });
  afterAll(async () => {
    await ports?.close();
    await server?.stop();
  });

  it('makes the leader refuse to act until the server is back, then leads under a new epoch', async () => {
    const url = await server.createDatabase('outage');
    const leader = createLeadership({
      url,
      daemonId: 'd1',
      host: 'h',
      pid: process.pid,
      intervalMs: 300,
      now: Date.now,
    });
    ports = await openPgStores(url, { maxConnections: 2, fence: leader });
    await until(async () => {
      await leader.tick();
      return leader.state().leading;
    }, 'd1 leads');
    expect(leader.epoch()).toBe(1);
    const lease = { node: 'pve1', holder: 'd1', pid: 1, host: 'h', incidentKey: 'k', acquiredAt: 1, expiresAt: 2 };
    expect((await ports.monitor.acquireLease(lease, 1, () => true)).ok).toBe(true);

    await server.halt();
    await until(() => !leader.state().leading, 'd1 steps down');
    expect(leader.epoch()).toBeNull();
    await expect(ports.monitor.acquireLease(lease, 1, () => true)).rejects.toThrow();
    const probe = await ports.storage.check();
    expect(probe.ok).toBe(false);
    expect(probe.ok ? '' : probe.reason).toMatch(
      /^vigil's PostgreSQL database cannot be written .*: no action is taken until it can$/,
    );
    // Rounds while the server is down keep it standing by.
    await leader.tick();
    expect(leader.state().leading).toBe(false);

    await server.restart();
    await until(async () => {
      await leader.tick();
      return leader.state().leading;
    }, 'd1 leads again');
    expect(leader.epoch()).toBe(2);
    expect(await ports.storage.check()).toEqual({ ok: true });
    expect((await ports.monitor.acquireLease({ ...lease, acquiredAt: 3, expiresAt: 4 }, 1, () => true)).ok).toBe(true);
    await leader.stop();
  });
});
