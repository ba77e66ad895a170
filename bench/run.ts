/**
 * Runs the benchmarks and prints one table: `npm run bench` (never part of `npm test`).
 *   --only a,b       just these (names below); default all
 *   --dist DIR       the build whose `vigil serve` / `vigil lab` the open-loop, rest-memory,
 *                    module-rss and many-sessions parts run (default ./dist: `npm run build` first)
 *   --rest-seconds N how long the daemons rest before their memory is read (default 300)
 *   --quick          short runs for a quick check (rest 30 s, open-loop 5 s runs); not for reports
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchRow } from './common.js';
import { load } from './proc.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A bad option: one line saying what to give instead, exit 2 (as vigil's own CLI does). */
function usage(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

/** The options above; anything else is a usage error. */
function options() {
  try {
    return parseArgs({
      options: {
        only: { type: 'string' },
        dist: { type: 'string', default: join(ROOT, 'dist') },
        'rest-seconds': { type: 'string' },
        quick: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    return usage(err instanceof Error ? err.message : String(err));
  }
}
const values = options();
const dist = resolve(values.dist);
const quick = values.quick;
const restSeconds = Number(values['rest-seconds'] ?? (quick ? 30 : 300));
if (!Number.isFinite(restSeconds) || restSeconds <= 0)
  usage(`--rest-seconds: expected a positive number of seconds, got "${values['rest-seconds']}"`);

/** Every part, in the order they run; each loads its modules only when chosen. */
const PARTS: Record<string, () => Promise<BenchRow[]>> = {
  'execute-tool': async () => (await import('./execute-tool.js')).benchExecuteTool(),
  'open-loop': async () => {
    const m = await import('./open-loop.js');
    const o = m.openLoopDefaults(dist);
    return m.benchOpenLoop(quick ? { ...o, seconds: 5, probeSeconds: 3 } : o);
  },
  'mcp-http': async () => (await import('./mcp-http.js')).benchMcpHttp(),
  'many-sessions': async () =>
    (await import('./many-sessions.js')).benchManySessions({
      dist,
      sessions: 100,
      callsPerSession: 100,
      tool: 'get_events',
      warmupSeconds: quick ? 10 : 30,
      settleSeconds: 5,
    }),
  'rest-memory': async () =>
    (await import('./rest-memory.js')).benchRestMemory({ dist, nodes: 10, daemons: 3, restSeconds }),
  'module-rss': async () => (await import('./module-rss.js')).benchModuleRss(dist),
  'monitor-cycle': async () => (await import('./monitor-cycle.js')).benchMonitorCycle(),
  'socket-fanout': async () => (await import('./socket-fanout.js')).benchSocketFanout(),
  'demo-rest': async () => (await import('./demo-rest.js')).benchDemoRest(),
  // PostgreSQL (Debian's postgresql package): a throwaway local cluster, as the tests use.
  'pg-stores': async () =>
    (await import('./pg-stores.js')).benchPgStores({ calls: quick ? 1000 : 3000, repetitions: 3 }),
  // The daemon's heartbeat interval by default: a third of the 15 s critical interval.
  'pg-failover': async () =>
    (await import('./pg-failover.js')).benchPgFailover({ kills: quick ? 3 : 10, intervalMs: 5000 }),
};

const chosen = values.only ? values.only.split(',').map((s) => s.trim()) : Object.keys(PARTS);
const unknown = chosen.filter((n) => !(n in PARTS));
if (unknown.length) usage(`--only: unknown part "${unknown.join('", "')}"; parts: ${Object.keys(PARTS).join(', ')}`);
const needsDist = ['open-loop', 'many-sessions', 'rest-memory', 'module-rss'];
if (chosen.some((n) => needsDist.includes(n)) && !existsSync(join(dist, 'cli.js')))
  usage(`--dist: no cli.js in ${dist}; run "npm run build" first (or give a built checkout's dist)`);

function print(rows: BenchRow[]): void {
  const width = Math.max(...rows.map((r) => r.name.length));
  const valueWidth = Math.max(...rows.map((r) => r.value.length));
  for (const r of rows) {
    const verdict = r.pass === undefined ? '' : r.pass ? '  ok' : '  MISSED';
    console.log(
      `${r.name.padEnd(width)}  ${r.value.padStart(valueWidth)}${r.target ? `  (target ${r.target})${verdict}` : ''}`,
    );
  }
}

console.log(
  `node ${process.version}, ${cpus().length} cpus (${cpus()[0]?.model ?? '?'}), dist ${dist}, load average before: ${load()}`,
);
const rows: BenchRow[] = [];
for (const name of chosen) {
  console.log(`running ${name} (load average ${load()})`);
  rows.push(...(await PARTS[name]!()));
}
console.log('');
print(rows);
console.log(`\nload average after: ${load()}`);
