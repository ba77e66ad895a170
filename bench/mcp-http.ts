/**
 * Closed-loop: each client sends its next call when the last one answered, and the clients share
 * the machine with the servers (bench/open-loop.ts is the open-loop benchmark of `vigil serve`).
 * tools/call over Streamable HTTP: 50 concurrent SDK clients, each calling the no-op tool a fixed
 * number of times, against vigil (auth, Host/Origin checks, executeTool, audit) and against a bare
 * SDK server exposing the same tool with the same session handling. Each server runs in its own
 * process, as the daemon does; alternating order, a few rounds, all on loopback; every round is
 * bounded in calls and in time, and the servers are stopped at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ASSISTANT_TOKEN, fmt, latencies, procStat, type BenchRow } from './common.js';

export interface McpHttpOptions {
  clients: number;
  callsPerClient: number;
  rounds: number;
  /** A round that takes longer than this stops early (its rate is still reported). */
  roundTimeoutMs: number;
}

const SERVER_SCRIPT = fileURLToPath(new URL('./mcp-http-server.ts', import.meta.url));

/** Starts one server process and waits for the URL it prints. */
async function spawnServer(
  which: 'vigil' | 'bare',
): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  // BENCH_CPU_PROF_DIR=dir writes a V8 CPU profile of each server process there (open in Chrome DevTools).
  const prof = process.env.BENCH_CPU_PROF_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}/${which}`]
    : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', SERVER_SCRIPT, which], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${which} server did not start within 30 s`)), 30_000);
    child.once('exit', (code) => reject(new Error(`${which} server exited early (${code})`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  return {
    url,
    child,
    async stop() {
      child.stdin!.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

interface RoundResult {
  calls: number;
  seconds: number;
  samples: number[];
  /** CPU seconds the server process used during the timed part, when the OS tells (Linux /proc). */
  serverCpu: number | null;
}

/** Connects the clients (untimed), then times every client calling the tool `callsPerClient` times. */
export async function round(url: string, opts: McpHttpOptions, serverPid?: number): Promise<RoundResult> {
  const clients = await Promise.all(
    Array.from({ length: opts.clients }, async (_, i) => {
      const client = new Client({ name: `bench-${i}`, version: '0.0.0' });
      const transport = new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { Authorization: `Bearer ${ASSISTANT_TOKEN}` } },
      });
      await client.connect(transport);
      return client;
    }),
  );
  // Checked between calls; not passed to callTool, which leaves one listener on it per request.
  const deadline = AbortSignal.timeout(opts.roundTimeoutMs);
  const samples: number[] = [];
  let calls = 0;
  try {
    // Warm each session once so the first timed call does not pay for lazy setup.
    await Promise.all(clients.map((c) => c.callTool({ name: 'noop', arguments: {} })));
    const cpu0 = procStat(serverPid)?.cpuSeconds ?? null;
    const t0 = performance.now();
    await Promise.all(
      clients.map(async (client) => {
        for (let i = 0; i < opts.callsPerClient && !deadline.aborted; i += 1) {
          const s = performance.now();
          const r = await client.callTool({ name: 'noop', arguments: {} }, undefined, { timeout: opts.roundTimeoutMs });
          samples.push(performance.now() - s);
          if (r.isError) throw new Error(`noop failed: ${JSON.stringify(r.content)}`);
          calls += 1;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = procStat(serverPid)?.cpuSeconds ?? null;
    return { calls, seconds, samples, serverCpu: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 };
  } finally {
    await Promise.allSettled(clients.map((c) => c.close()));
  }
}

/** Runs the benchmark and returns its table rows. */
export async function benchMcpHttp(
  opts: McpHttpOptions = { clients: 50, callsPerClient: 200, rounds: 4, roundTimeoutMs: 120_000 },
): Promise<BenchRow[]> {
  const vigil = await spawnServer('vigil');
  const bare = await spawnServer('bare').catch(async (err: unknown) => {
    await vigil.stop();
    throw err;
  });
  const results = { vigil: [] as RoundResult[], bare: [] as RoundResult[] };
  try {
    // One short untimed round each, so neither side is measured while its JIT is still cold.
    for (const url of [vigil.url, bare.url])
      await round(url, { ...opts, callsPerClient: Math.ceil(opts.callsPerClient / 4) });
    for (let r = 0; r < opts.rounds; r += 1) {
      const order = r % 2 === 0 ? (['vigil', 'bare'] as const) : (['bare', 'vigil'] as const);
      for (const which of order) {
        const server = which === 'vigil' ? vigil : bare;
        const result = await round(server.url, opts, server.child.pid);
        results[which].push(result);
      }
    }
  } finally {
    await Promise.all([vigil.stop(), bare.stop()]);
  }
  const rate = (rs: RoundResult[]) => rs.reduce((n, x) => n + x.calls, 0) / rs.reduce((s, x) => s + x.seconds, 0);
  const best = (rs: RoundResult[]) => Math.max(...rs.map((x) => x.calls / x.seconds));
  const vigilRate = rate(results.vigil);
  const bareRate = rate(results.bare);
  const ratio = bareRate / vigilRate;
  const cpuPerCall = (rs: RoundResult[]) =>
    rs.every((x) => x.serverCpu !== null)
      ? (rs.reduce((n, x) => n + x.serverCpu!, 0) / rs.reduce((n, x) => n + x.calls, 0)) * 1e6
      : null;
  const vigilCpu = cpuPerCall(results.vigil);
  const bareCpu = cpuPerCall(results.bare);
  const vl = latencies(results.vigil.flatMap((x) => x.samples));
  const bl = latencies(results.bare.flatMap((x) => x.samples));
  const label = `${opts.clients} clients × ${opts.callsPerClient} calls × ${opts.rounds} rounds`;
  return [
    {
      name: `closed-loop MCP HTTP vigil bench core, noop (${label})`,
      value: `${fmt(vigilRate)} calls/s`,
      target: '≥ 1,500 calls/s',
      pass: vigilRate >= 1_500,
    },
    { name: `closed-loop MCP HTTP bare SDK (${label})`, value: `${fmt(bareRate)} calls/s` },
    {
      name: 'closed-loop MCP HTTP rounds vigil (calls/s)',
      value: results.vigil.map((x) => fmt(x.calls / x.seconds)).join(' / '),
    },
    {
      name: 'closed-loop MCP HTTP rounds bare (calls/s)',
      value: results.bare.map((x) => fmt(x.calls / x.seconds)).join(' / '),
    },
    {
      name: 'closed-loop MCP HTTP best round vigil / bare',
      value: `${fmt(best(results.vigil))} / ${fmt(best(results.bare))} calls/s`,
    },
    { name: 'closed-loop overhead bare / vigil', value: fmt(ratio, 2), target: '≤ 1.15', pass: ratio <= 1.15 },
    ...(vigilCpu !== null && bareCpu !== null
      ? [
          { name: 'closed-loop server CPU per call vigil / bare', value: `${fmt(vigilCpu)} / ${fmt(bareCpu)} µs` },
          { name: 'closed-loop server CPU per call vigil / bare (ratio)', value: fmt(vigilCpu / bareCpu, 2) },
        ]
      : []),
    {
      name: 'closed-loop MCP HTTP latency p50 / p99 vigil',
      value: `${fmt(vl.p50us / 1000, 1)} / ${fmt(vl.p99us / 1000, 1)} ms`,
    },
    {
      name: 'closed-loop MCP HTTP latency p50 / p99 bare',
      value: `${fmt(bl.p50us / 1000, 1)} / ${fmt(bl.p99us / 1000, 1)} ms`,
    },
  ];
}
