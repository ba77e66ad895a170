// Pins failover on PostgreSQL: one leader at a time by advisory lock; a SIGKILLed leader is replaced by the standby with a higher epoch; the store refuses the stale epoch's writes; a cut lock connection deposes a leader at once.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createLeadership, readDaemons, type Leadership } from '../../../src/db/pg/leader.js';
import { openPgStores } from '../../../src/db/pg/stores.js';
import { createPgPool } from '../../../src/db/pg/pool.js';
import { StaleEpochError } from '../../../src/db/pg/fencing.js';
import type { LeadershipState } from '../../../src/db/pg/leadership-rules.js';
import { POSTGRES, startPostgres, type RunningPostgres } from '../../helpers/postgres.js';

const INTERVAL = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `done` until it holds, at most `rounds` times: progress is asserted, never elapsed time. */
async function until(done: () => boolean | Promise<boolean>, what: string, rounds = 200): Promise<void> {
  for (let i = 0; i < rounds; i += 1) {
    if (await done()) return;
    await sleep(50);
  }
  throw new Error(`gave up waiting until ${what}`);
}

const lease = (holder: string) => ({
  node: 'pve1',
  holder,
  pid: 1,
  host: 'h',
  incidentKey: 'guest.crashed:vm101',
  acquiredAt: 1_000,
  expiresAt: 60_000,
});

describe.skipIf(!POSTGRES)('leadership on PostgreSQL', () => {
  let server: RunningPostgres;
  let url: string;
  let reader: pg.Pool;
  let previous: Leadership | undefined;
  const cleanup: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    server = await startPostgres(POSTGRES!);
    url = await server.createDatabase('leader');
    // Creates the schema, as a daemon's first start does.
    await (await openPgStores(url, { maxConnections: 1 })).close();
    reader = createPgPool(url, 1);
  });
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    await reader?.end();
    await server?.stop();
  });

  function standby(daemonId: string, changes: LeadershipState[]): Leadership {
    const l = createLeadership({
      url,
      daemonId,
      host: 'test',
      pid: process.pid,
      intervalMs: INTERVAL,
      now: Date.now,
      onChange: (s) => changes.push(s),
    });
    cleanup.push(() => l.stop());
    return l;
  }

  it('fails over from a SIGKILLed leader to the standby, which fences the dead leader out', async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/db/pg/leader-worker.ts', url, 'first', String(INTERVAL)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    cleanup.push(async () => void child.kill('SIGKILL'));
    const told: LeadershipState[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => told.push(JSON.parse(line) as LeadershipState));
    await until(() => told.some((s) => s.leading), 'the child leads');
    expect(told.find((s) => s.leading)?.epoch).toBe(1);

    const changes: LeadershipState[] = [];
    const second = standby('second', changes);
    second.start();
    previous = second;
    await until(async () => (await readDaemons(reader)).some((d) => d.daemonId === 'second'), 'the standby beats');
    expect(second.state().leading).toBe(false);

    // The dead leader's fence: epoch 1. While it is current, its writes pass.
    const deadLeader = await openPgStores(url, { maxConnections: 2, fence: { epoch: () => 1 } });
    cleanup.push(() => deadLeader.close());
    expect((await deadLeader.monitor.acquireLease(lease('first'), 1, () => true)).ok).toBe(true);

    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    await until(() => second.state().leading, 'the standby takes over');
    expect(second.epoch()).toBe(2);
    expect(changes.filter((s) => s.leading).map((s) => s.epoch)).toEqual([2]);

    // The dead leader's late writes carry epoch 1 and are refused; the new leader's pass.
    await expect(deadLeader.monitor.acquireLease(lease('first'), 1, () => true)).rejects.toBeInstanceOf(
      StaleEpochError,
    );
    await expect(deadLeader.monitor.renewLease('pve1', 'first', 90_000)).rejects.toThrow(/epoch 1 is stale \(now 2\)/);
    const live = await openPgStores(url, { maxConnections: 2, fence: second });
    cleanup.push(() => live.close());
    expect(
      (await live.monitor.acquireLease({ ...lease('second'), acquiredAt: 70_000, expiresAt: 90_000 }, 1, () => true))
        .ok,
    ).toBe(true);
    const beats = await readDaemons(reader);
    expect(beats.find((d) => d.daemonId === 'second')).toMatchObject({ role: 'leader', epoch: 2 });
  });

  it('deposes a leader at once when its lock connection is cut, and fences its old epoch', async () => {
    const changes: LeadershipState[] = [];
    const third = standby('third', changes);
    // The previous test's leader steps down (its session ends, and with it the lock).
    await previous?.stop();
    await until(async () => {
      await third.tick();
      return third.state().leading;
    }, 'the third daemon leads');
    const epoch = third.epoch()!;
    const fenced = await openPgStores(url, { maxConnections: 2, fence: { epoch: () => epoch } });
    cleanup.push(() => fenced.close());

    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    cleanup.push(() => admin.end());
    const cut = await admin.query(
      `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = 'vigil-leader third'`,
    );
    expect(cut.rows).toEqual([{ done: true }]);
    await until(() => !third.state().leading, 'the cut leader steps down');
    expect(third.epoch()).toBeNull();
    expect(changes.at(-1)).toMatchObject({ leading: false, epoch: null });

    // It takes the lock again on its next round, under a new epoch; the old one is refused.
    await until(async () => {
      await third.tick();
      return third.state().leading;
    }, 'the third daemon leads again');
    expect(third.epoch()).toBe(epoch + 1);
    await expect(
      fenced.monitor.startAction({
        incidentId: 1,
        incidentKey: 'k',
        runbook: 'r',
        tool: null,
        args: {},
        node: null,
        result: 'running',
        detail: '',
        holder: 'third',
        counts: true,
        startedAt: 1,
        approvalId: null,
      }),
    ).rejects.toBeInstanceOf(StaleEpochError);
  });
});
