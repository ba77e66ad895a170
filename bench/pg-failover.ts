/**
 * Failover time on PostgreSQL (issue 14): a leader in a child process, a standby here; SIGKILL the
 * leader and time until the standby leads under the next epoch. Ten kills, median and max.
 *
 *   npx tsx bench/pg-failover.ts [--url postgres://…] [--kills N] [--interval-ms N]
 *
 * The standby tries the lock once per interval, so the expected takeover is at most one interval
 * after the server notices the dead connection. Without --url it uses a throwaway local cluster.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLeadership } from '../src/db/pg/leader.js';
import { openPgStores } from '../src/db/pg/stores.js';
import { POSTGRES, startPostgres } from '../test/helpers/postgres.js';
import { fmt, quantile, type BenchRow } from './common.js';

const SELF = fileURLToPath(import.meta.url);

/** The child's part: lead under `daemonId` and print one line once leading. */
function holdLeadership(url: string, daemonId: string, intervalMs: number): void {
  createLeadership({
    url,
    daemonId,
    host: 'bench',
    pid: process.pid,
    intervalMs,
    now: Date.now,
    onChange: (s) => {
      if (s.leading) process.stdout.write(`leading ${s.epoch}\n`);
    },
  }).start();
}

/** Starts a leader child and resolves once it leads. */
async function leaderChild(url: string, id: string, intervalMs: number) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', SELF, '--hold', id, '--url', url, '--interval-ms', String(intervalMs)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`leader child exited (${code}) before leading`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('leading')) resolve();
    });
  });
  return child;
}

/** Runs `kills` failovers and returns the table rows. */
export async function benchPgFailover(opts: { url?: string; kills: number; intervalMs: number }): Promise<BenchRow[]> {
  const server = opts.url || !POSTGRES ? undefined : await startPostgres(POSTGRES);
  const url = opts.url ?? (await server?.createDatabase('failover'));
  if (!url)
    throw new Error('PostgreSQL is not installed: pass --url postgres://… or install Debian package postgresql');
  // Creates the schema, as a daemon's first start does.
  await (await openPgStores(url, { maxConnections: 1 })).close();
  const times: number[] = [];
  try {
    for (let k = 0; k < opts.kills; k += 1) {
      const child = await leaderChild(url, `leader-${k}`, opts.intervalMs);
      let killedAt = 0;
      const took = new Promise<number>((resolve) => {
        const standby = createLeadership({
          url,
          daemonId: `standby-${k}`,
          host: 'bench',
          pid: process.pid,
          intervalMs: opts.intervalMs,
          now: Date.now,
          onChange: (s) => {
            if (!s.leading) return;
            resolve(performance.now() - killedAt);
            void standby.stop();
          },
        });
        standby.start();
      });
      // The kill lands at a random point of the standby's try cycle, after at least one round as standby.
      await new Promise((r) => setTimeout(r, opts.intervalMs * (1 + Math.random())));
      killedAt = performance.now();
      child.kill('SIGKILL');
      times.push(await took);
    }
  } finally {
    await server?.stop();
  }
  const sorted = [...times].sort((a, b) => a - b);
  return [
    { name: `failover after SIGKILL (${opts.kills} kills, try interval ${fmt(opts.intervalMs)} ms)`, value: '' },
    { name: 'failover median / max', value: `${fmt(quantile(sorted, 0.5))} / ${fmt(sorted.at(-1) ?? Number.NaN)} ms` },
    {
      name: 'failovers within two intervals (issue 14 bound)',
      value: `${times.filter((t) => t <= 2 * opts.intervalMs).length} of ${times.length}`,
    },
  ];
}

if (process.argv[1] === SELF) {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      kills: { type: 'string', default: '10' },
      'interval-ms': { type: 'string', default: '1000' },
      hold: { type: 'string' },
    },
  });
  const intervalMs = Number(values['interval-ms']);
  const kills = Number(values.kills);
  if (!Number.isInteger(intervalMs) || intervalMs < 50) throw new Error('--interval-ms: expected an integer ≥ 50');
  if (!Number.isInteger(kills) || kills < 1) throw new Error('--kills: expected a positive integer');
  if (values.hold) {
    if (!values.url) throw new Error('--hold needs --url');
    holdLeadership(values.url, values.hold, intervalMs);
  } else {
    const rows = await benchPgFailover({ url: values.url, kills, intervalMs });
    for (const r of rows) process.stdout.write(`${r.name}  ${r.value}\n`);
  }
}
