// Pins the PostgreSQL stores under concurrent daemons: two writers keep one verifiable audit chain, approvals and the kill switch are shared, each outbox row is claimed exactly once, and event ids replay in commit order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openPgStores } from '../../../src/db/pg/stores.js';
import type { StorePorts } from '../../../src/db/ports.js';
import { POSTGRES, startPostgres, type RunningPostgres } from '../../helpers/postgres.js';
import { entry } from '../helpers.js';

/** Runs `count` calls of `task`, at most `width` at a time. */
async function concurrently(count: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

describe.skipIf(!POSTGRES)('PostgreSQL stores with two daemons', () => {
  let server: RunningPostgres;
  let n = 0;
  const open: StorePorts[] = [];
  beforeAll(async () => {
    server = await startPostgres(POSTGRES!);
  });
  afterAll(async () => {
    for (const p of open) await p.close();
    await server?.stop();
  });
  /** Two daemons' stores (separate pools) over one fresh database. */
  async function twoDaemons(): Promise<[StorePorts, StorePorts]> {
    n += 1;
    const url = await server.createDatabase(`concurrent_${n}`);
    const a = await openPgStores(url, { maxConnections: 4 });
    const b = await openPgStores(url, { maxConnections: 4 });
    open.push(a, b);
    return [a, b];
  }

  it('keeps one verifiable audit chain with two concurrent writers', async () => {
    const [a, b] = await twoDaemons();
    await Promise.all([
      concurrently(150, 4, (i) => a.audit.append(entry(i, { callerId: 'daemon-a' })).then(() => undefined)),
      concurrently(150, 4, (i) => b.audit.append(entry(i, { callerId: 'daemon-b' })).then(() => undefined)),
    ]);
    expect(await a.audit.verify()).toEqual({ ok: true, rows: 300 });
    const rows = await b.audit.list({ limit: 1000 });
    expect(rows.filter((r) => r.callerId === 'daemon-a')).toHaveLength(150);
    expect(rows.map((r) => r.id).sort((x, y) => x - y)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });

  it('still detects an edited row', async () => {
    const [a] = await twoDaemons();
    for (let i = 0; i < 5; i += 1) await a.audit.append(entry(i));
    const url = server.url(`concurrent_${n}`);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`UPDATE audit SET outcome = 'error' WHERE id = 3`);
    await client.end();
    expect(await a.audit.verify()).toMatchObject({ ok: false, firstBadId: 3, badRows: 1 });
  });

  it('shares approvals and the kill switch: asked on one daemon, decided and redeemed on the other, once', async () => {
    const [a, b] = await twoDaemons();
    const asked = await a.approvals.create(
      {
        tool: 'delete_snapshot',
        args: { vmid: 101 },
        sessionId: null,
        callerKind: 'assistant',
        callerId: 'x',
        plan: 'p',
        principal: 'assistant-token',
        ttlMs: 60_000,
      },
      1_000,
    );
    expect(await b.approvals.decide(asked.id, 'approved', 'operator', 1_001)).toMatchObject({ ok: true });
    const call = { tool: 'delete_snapshot', args: { vmid: 101 }, principal: 'assistant-token' };
    const redeemed = await Promise.all([
      a.approvals.consume(asked.id, call, 1_002),
      b.approvals.consume(asked.id, call, 1_002),
    ]);
    expect(redeemed.filter((r) => r.ok)).toHaveLength(1);
    expect(redeemed.find((r) => !r.ok)).toMatchObject({ code: 'ERR_APPROVAL_USED' });
    await a.preferences.setKillSwitch(
      { active: true, scope: 'all', reason: 'drill', since: 1_003, by: 'operator' },
      1_003,
    );
    expect(await b.preferences.killSwitch()).toMatchObject({ active: true, scope: 'all', reason: 'drill' });
  });

  it('hands each outbox row to exactly one of two concurrent claimers', async () => {
    const [a, b] = await twoDaemons();
    const ids = await a.outbox.add(
      Array.from({ length: 90 }, (_, i) => ({
        channel: 'email',
        kind: i % 3 === 0 ? ('escalation' as const) : ('recovery' as const),
        incidentKey: null,
        payload: { subject: `n${i}`, body: '' },
      })),
      1_000,
    );
    const drain = async (ports: StorePorts, owner: string): Promise<number[]> => {
      const got: number[] = [];
      for (;;) {
        const rows = await ports.outbox.claim({
          owner,
          now: 2_000,
          leaseMs: 600_000,
          digestMs: 0,
          limit: 3,
          channels: ['email'],
        });
        if (rows.length === 0) return got;
        // The lease is still ours, so marking must succeed for every claimed row.
        expect(
          await ports.outbox.markDelivered(
            rows.map((r) => r.id),
            owner,
            2_000,
          ),
        ).toBe(rows.length);
        got.push(...rows.map((r) => r.id));
      }
    };
    const [byA, byB] = await Promise.all([drain(a, 'A'), drain(b, 'B')]);
    expect(byA.length).toBeGreaterThan(0);
    expect(byB.length).toBeGreaterThan(0);
    expect([...byA, ...byB].sort((x, y) => x - y)).toEqual(ids);
    expect(await b.outbox.counts()).toEqual({ pending: 0, delivered: 90, failed: 0 });
  });

  it('gives events ids in commit order, so a since() poller misses none while two daemons write', async () => {
    const [a, b] = await twoDaemons();
    const seen: number[] = [];
    let writing = true;
    const drain = async () => {
      for (;;) {
        const batch = await a.events.since(seen.at(-1) ?? 0, 50);
        seen.push(...batch.map((e) => e.id));
        if (batch.length === 0) return;
      }
    };
    // Polls while the writers run, then once more after they finished.
    const poll = async () => {
      while (writing) await drain();
      await drain();
    };
    const event = (who: string, i: number) => ({
      type: 'tool.executed' as const,
      severity: 'info' as const,
      title: `${who}${i}`,
      message: '',
    });
    const writers = Promise.all([
      concurrently(100, 3, (i) => a.events.append(event('a', i), i).then(() => undefined)),
      concurrently(100, 3, (i) => b.events.append(event('b', i), i).then(() => undefined)),
    ]).finally(() => {
      writing = false;
    });
    await Promise.all([writers, poll()]);
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });
});
