/**
 * Event fan-out: N Socket.IO clients on loopback (default 1,000) on the /events namespace, the
 * daemon publishing R events per second (default 100) through the bus (stored, then broadcast)
 * for S seconds. Delivery latency is publish time (in the server process) to arrival at each
 * client, over every (client, event) pair. The server runs in its own process; the clients are
 * spread over a few processes of their own (one thread cannot decode 100,000 frames a second), all
 * on the same machine. Bounded: start, connect, run and drain each have a deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { fmt, procStat, quantile, type BenchRow } from './common.js';

export interface FanoutOptions {
  clients: number;
  rate: number;
  seconds: number;
  /** Client processes the clients are spread over. */
  clientProcesses: number;
}

const SERVER_SCRIPT = fileURLToPath(new URL('./socket-fanout-server.ts', import.meta.url));
const CLIENT_SCRIPT = fileURLToPath(new URL('./socket-fanout-clients.ts', import.meta.url));

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

interface Proc {
  child: ChildProcess;
  lines: Interface;
  nextLine(): Promise<string>;
  stop(): Promise<void>;
}

function start(args: string[], profile = false): Proc {
  // BENCH_CPU_PROF_DIR=dir writes a V8 CPU profile of the server process there (open in Chrome DevTools).
  const prof =
    profile && process.env.BENCH_CPU_PROF_DIR
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}/socket-fanout`]
      : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
  const queue: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (line) => (waiting.length ? waiting.shift()!(line) : queue.push(line)));
  return {
    child,
    lines,
    nextLine: () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((resolve) => waiting.push(resolve))),
    async stop() {
      child.stdin!.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Runs the benchmark and returns its table rows. */
export async function benchSocketFanout(
  opts: FanoutOptions = { clients: 1000, rate: 100, seconds: 10, clientProcesses: 4 },
): Promise<BenchRow[]> {
  const server = start([SERVER_SCRIPT], true);
  const clients: Proc[] = [];
  try {
    const { url } = JSON.parse(await withDeadline(server.nextLine(), 30_000, 'server start')) as { url: string };
    const t0 = performance.now();
    for (let i = 0; i < opts.clientProcesses; i += 1) {
      const n = Math.floor(opts.clients / opts.clientProcesses) + (i < opts.clients % opts.clientProcesses ? 1 : 0);
      clients.push(start([CLIENT_SCRIPT, url, String(n)]));
    }
    await withDeadline(Promise.all(clients.map((c) => c.nextLine())), 120_000, 'connecting the clients');
    const connectSeconds = (performance.now() - t0) / 1000;

    const publish = async (count: number) => {
      server.child.stdin!.write(`publish ${opts.rate} ${count}\n`);
      await withDeadline(server.nextLine(), (count / opts.rate) * 3000 + 10_000, 'publishing');
    };
    await publish(Math.ceil(opts.rate)); // one second of warm-up, not measured
    await new Promise((r) => setTimeout(r, 500));

    for (const c of clients) c.child.stdin!.write('timed\n');
    const count = opts.rate * opts.seconds;
    const expected = count * opts.clients;
    const cpu0 = procStat(server.child.pid)?.cpuSeconds ?? null;
    await publish(count);
    const cpu1 = procStat(server.child.pid)?.cpuSeconds ?? null;

    // Drain: late deliveries get up to 10 s, then whatever arrived is reported.
    const drainEnd = performance.now() + 10_000;
    let reports: Array<{ received: number; cpuSeconds: number; samples: number[] }> = [];
    for (;;) {
      for (const c of clients) c.child.stdin!.write('report\n');
      reports = await withDeadline(
        Promise.all(clients.map(async (c) => JSON.parse(await c.nextLine()))),
        30_000,
        'collecting reports',
      );
      if (reports.reduce((n, r) => n + r.received, 0) >= expected || performance.now() > drainEnd) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const samples = reports.flatMap((r) => r.samples).sort((a, b) => a - b);
    const received = samples.length;
    const p50 = quantile(samples, 0.5);
    const p99 = quantile(samples, 0.99);
    const label = `${fmt(opts.clients)} clients, ${opts.rate} events/s × ${opts.seconds} s`;
    return [
      { name: `socket fan-out latency p50 (${label})`, value: `${fmt(p50, 1)} ms` },
      {
        name: `socket fan-out latency p99 (${label})`,
        value: `${fmt(p99, 1)} ms`,
        target: '≤ 100 ms',
        pass: p99 <= 100,
      },
      { name: 'socket fan-out latency max', value: `${fmt(samples.at(-1) ?? Number.NaN, 1)} ms` },
      {
        name: 'socket fan-out delivered',
        value: `${fmt(received)} / ${fmt(expected)}`,
        target: 'all',
        pass: received === expected,
      },
      {
        name: `socket fan-out connect (${opts.clientProcesses} client processes)`,
        value: `${fmt(connectSeconds, 1)} s`,
      },
      ...(cpu0 !== null && cpu1 !== null
        ? [
            {
              name: 'socket fan-out server CPU during run',
              value: `${fmt(((cpu1 - cpu0) / opts.seconds) * 100)} % of one core`,
            },
          ]
        : []),
    ];
  } finally {
    await Promise.all([server.stop(), ...clients.map((c) => c.stop())]);
  }
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const [clients, rate, seconds, procs] = process.argv.slice(2).map(Number);
  const rows = await benchSocketFanout({
    clients: clients || 1000,
    rate: rate || 100,
    seconds: seconds || 10,
    clientProcesses: procs || 4,
  });
  for (const r of rows)
    console.log(`${r.name}: ${r.value}${r.target ? ` (target ${r.target}) ${r.pass ? 'ok' : 'MISSED'}` : ''}`);
}
