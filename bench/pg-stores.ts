/**
 * The store ports on PostgreSQL against SQLite, in the same run (issue 14): audit appends/s, a
 * green store path (kill-switch read + audit append, what a green call costs the store) and the
 * real `executeTool` of a green no-op tool through a core opened on each engine, as ratios, plus the synchronous SQLite store without the port wrapper (the
 * wrapper's own cost) and two PostgreSQL writers appending to one chain at once.
 *
 *   npx tsx bench/pg-stores.ts [--url postgres://…] [--calls N]
 *
 * Without --url it starts a throwaway cluster on 127.0.0.1 (test/helpers/postgres.ts), which runs
 * with fsync off like a test cluster: an upper bound for a real server, where every commit waits
 * for its disk (SQLite here runs WAL with synchronous=NORMAL, which does not fsync per commit either).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/db/database.js';
import { createStores } from '../src/db/stores.js';
import { createSqlitePorts } from '../src/db/sqlite-ports.js';
import { openPgStores } from '../src/db/pg/stores.js';
import type { AuditEntry } from '../src/db/audit.js';
import type { StorePorts } from '../src/db/ports.js';
import { POSTGRES, startPostgres } from '../test/helpers/postgres.js';
import { loadConfig } from '../src/config/index.js';
import { openCore } from '../src/core.js';
import pino from 'pino';
import { ASSISTANT_TOKEN, OPERATOR_TOKEN, fmt, noop, quantile, type BenchRow } from './common.js';

export interface PgStoresOptions {
  /** An existing PostgreSQL database to use (it gets vigil's tables); default a throwaway cluster. */
  url?: string;
  calls: number;
  repetitions: number;
}

const entry = (i: number, who: string): AuditEntry => ({
  at: Date.now(),
  callerKind: 'assistant',
  callerId: who,
  sessionId: `bench-${i}`,
  tool: 'noop',
  tier: 'green',
  args: { i },
  target: null,
  decision: 'allowed',
  outcome: 'ok',
  durationMs: 0.05,
  error: null,
  approvalId: null,
});

/** Median calls/s of `repetitions` runs of `calls` sequential calls of `call`. */
async function rate(calls: number, repetitions: number, call: (i: number) => unknown): Promise<number> {
  const rates: number[] = [];
  for (let rep = 0; rep < repetitions; rep += 1) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i += 1) await call(i);
    rates.push((calls / (performance.now() - t0)) * 1000);
  }
  return quantile(
    rates.sort((a, b) => a - b),
    0.5,
  );
}

const greenPath = (p: StorePorts, who: string) => async (i: number) => {
  await p.preferences.killSwitch();
  await p.audit.append(entry(i, who));
};

/**
 * executeTool calls/s of the no-op green tool (audit on) through a core opened as every command
 * opens it: on the SQLite file in `dir`, or on PostgreSQL when `url` is given.
 */
async function executeToolRate(dir: string, url: string | undefined, calls: number, repetitions: number) {
  const file = join(dir, url ? 'pg.yaml' : 'lite.yaml');
  const database = url ? ['database:', '  url: ${env:BENCH_PG_URL}'] : ['database:', '  path: ./core.db'];
  writeFileSync(
    file,
    ['auth:', '  assistantToken: ${env:BENCH_A}', '  operatorToken: ${env:BENCH_O}', ...database, ''].join('\n'),
  );
  const env = { BENCH_A: ASSISTANT_TOKEN, BENCH_O: OPERATOR_TOKEN, ...(url ? { BENCH_PG_URL: url } : {}) };
  const core = await openCore({ config: loadConfig(file, env), logger: pino({ level: 'silent' }), tools: [noop] });
  const caller = { kind: 'assistant', id: 'bench', sessionId: 'bench-session' } as const;
  const call = async () => {
    const r = await core.pipeline.executeTool('noop', {}, caller);
    if (r.kind !== 'result' || r.isError) throw new Error(`noop failed: ${JSON.stringify(r)}`);
  };
  try {
    for (let i = 0; i < 300; i += 1) await call();
    return await rate(calls, repetitions, call);
  } finally {
    await core.close();
  }
}

/** Runs the comparison and returns its table rows. */
export async function benchPgStores(opts: PgStoresOptions): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-pg-'));
  const server = opts.url || !POSTGRES ? undefined : await startPostgres(POSTGRES);
  const url = opts.url ?? (await server?.createDatabase('bench'));
  if (!url)
    throw new Error('PostgreSQL is not installed: pass --url postgres://… or install Debian package postgresql');
  const db = openDatabase(join(dir, 'vigil.db'));
  const sync = createStores(db);
  const lite = createSqlitePorts(db, sync);
  const pg = await openPgStores(url, { maxConnections: 8 });
  const second = await openPgStores(url, { maxConnections: 8 });
  try {
    const { calls, repetitions } = opts;
    // Warm-up: JIT, prepared statements, the pools' connections and both files' first pages.
    for (let i = 0; i < 300; i += 1) {
      sync.audit.append(entry(i, 'warmup'));
      await greenPath(lite, 'warmup')(i);
      await greenPath(pg, 'warmup')(i);
    }
    const syncAppend = await rate(calls, repetitions, (i) => sync.audit.append(entry(i, 'sync')));
    const liteAppend = await rate(calls, repetitions, (i) => lite.audit.append(entry(i, 'lite')));
    const pgAppend = await rate(calls, repetitions, (i) => pg.audit.append(entry(i, 'pg')));
    const liteGreen = await rate(calls, repetitions, greenPath(lite, 'lite'));
    const pgGreen = await rate(calls, repetitions, greenPath(pg, 'pg'));
    const liteExecute = await executeToolRate(dir, undefined, calls, repetitions);
    const pgExecute = await executeToolRate(dir, url, calls, repetitions);
    // Two daemons, four appends in flight each, on one chain: the head-row lock serializes them.
    const t0 = performance.now();
    const writer = (p: StorePorts, who: string) =>
      Promise.all(
        Array.from({ length: 4 }, async (_, lane) => {
          for (let i = lane; i < calls; i += 4) await p.audit.append(entry(i, who));
        }),
      );
    await Promise.all([writer(pg, 'a'), writer(second, 'b')]);
    const twoWriters = ((2 * calls) / (performance.now() - t0)) * 1000;
    const verified = await pg.audit.verify();
    if (!verified.ok) throw new Error(`the PostgreSQL chain does not verify: ${verified.reason}`);
    const liteVerified = lite.audit.verify();
    if (!(await liteVerified).ok) throw new Error('the SQLite chain does not verify');

    const runs = `median of ${repetitions} × ${fmt(calls)}`;
    return [
      { name: `audit append, SQLite store (sync, ${runs})`, value: `${fmt(syncAppend)} /s` },
      { name: 'audit append, SQLite port (async wrapper)', value: `${fmt(liteAppend)} /s` },
      { name: 'audit append, PostgreSQL port', value: `${fmt(pgAppend)} /s` },
      { name: 'audit append PostgreSQL / SQLite port', value: `${fmt(pgAppend / liteAppend, 3)}×` },
      { name: 'SQLite port / sync store (wrapper cost)', value: `${fmt(liteAppend / syncAppend, 3)}×` },
      { name: 'green store path (kill switch + append), SQLite port', value: `${fmt(liteGreen)} /s` },
      { name: 'green store path, PostgreSQL port', value: `${fmt(pgGreen)} /s` },
      { name: 'green store path PostgreSQL / SQLite', value: `${fmt(pgGreen / liteGreen, 3)}×` },
      { name: 'executeTool green no-op, core on SQLite', value: `${fmt(liteExecute)} calls/s` },
      { name: 'executeTool green no-op, core on PostgreSQL', value: `${fmt(pgExecute)} calls/s` },
      { name: 'executeTool PostgreSQL / SQLite', value: `${fmt(pgExecute / liteExecute, 3)}×` },
      {
        name: 'PostgreSQL: 2 daemons × 4 in flight, one chain',
        value: `${fmt(twoWriters)} appends/s, chain verifies (${fmt(verified.rows)} rows)`,
      },
      { name: 'PostgreSQL server', value: opts.url ? 'given by --url' : 'throwaway cluster, fsync off (upper bound)' },
    ];
  } finally {
    await pg.close();
    await second.close();
    db.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { url: { type: 'string' }, calls: { type: 'string', default: '3000' } },
  });
  const calls = Number(values.calls);
  if (!Number.isInteger(calls) || calls <= 0)
    throw new Error(`--calls: expected a positive integer, got "${values.calls}"`);
  const rows = await benchPgStores({ url: values.url, calls, repetitions: 3 });
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) process.stdout.write(`${r.name.padEnd(width)}  ${r.value}\n`);
}
