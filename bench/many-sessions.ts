/**
 * Memory under many MCP sessions: `vigil serve` of one build (a `vigil init` config, default
 * logging) and 100 real SDK clients (Streamable HTTP, 2025-11-25), all connected at once, each
 * calling a green read 100 times. RSS before, the peak (sampled, and the kernel's high-water mark),
 * after the calls with the sessions still open, and after every client ended its session (DELETE).
 * The per-session cost is (RSS with the sessions open − RSS before) / sessions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { BenchRow } from './common.js';
import { ASSISTANT_TOKEN, initConfig, startVigil } from './processes.js';
import { load, mb, num, sample } from './proc.js';

export interface ManySessionsOptions {
  dist: string;
  sessions: number;
  callsPerSession: number;
  tool: string;
  /** After start, before "RSS before": startup garbage is collected by then. */
  warmupSeconds: number;
  /** After the calls and after the DELETEs, before reading RSS again. */
  settleSeconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the benchmark and returns its table rows. */
export async function benchManySessions(opts: ManySessionsOptions): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-sessions-'));
  const vigil = await startVigil(opts.dist, initConfig(opts.dist, dir));
  const rss = () => sample(vigil.pid)?.rssBytes ?? Number.NaN;
  try {
    await sleep(opts.warmupSeconds * 1000);
    const loadBefore = load();
    const before = rss();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rss())), 200);
    const t0 = performance.now();
    let failed = 0;
    const pairs = await Promise.all(
      Array.from({ length: opts.sessions }, async (_, i) => {
        const client = new Client({ name: `bench-${i}`, version: '0.0.0' });
        const transport = new StreamableHTTPClientTransport(new URL(vigil.url), {
          requestInit: { headers: { Authorization: `Bearer ${ASSISTANT_TOKEN}` } },
        });
        await client.connect(transport);
        return { client, transport };
      }),
    );
    await Promise.all(
      pairs.map(async ({ client }) => {
        for (let i = 0; i < opts.callsPerSession; i += 1) {
          const r = await client.callTool({ name: opts.tool, arguments: {} });
          if (r.isError) failed += 1;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    await sleep(opts.settleSeconds * 1000);
    const open = rss();
    await Promise.allSettled(pairs.map(({ transport }) => transport.terminateSession()));
    await Promise.allSettled(pairs.map(({ client }) => client.close()));
    await sleep(opts.settleSeconds * 1000);
    clearInterval(sampler);
    const closed = rss();
    const hwm = sample(vigil.pid)?.peakRssBytes ?? Number.NaN;
    const label = `${opts.sessions} sessions × ${opts.callsPerSession} ${opts.tool}`;
    return [
      {
        name: `many sessions (${label}): RSS before / peak / open / after DELETE`,
        value: `${mb(before)} / ${mb(peak)} / ${mb(open)} / ${mb(closed)} MB (high-water ${mb(hwm)})`,
      },
      { name: `many sessions (${label}): per session`, value: `${num((open - before) / opts.sessions / 1024)} kB` },
      {
        name: `many sessions (${label}): calls/s, failed calls, load before / after`,
        value: `${num((opts.sessions * opts.callsPerSession) / seconds)}, ${failed}, ${loadBefore.split(' ')[0]} / ${load().split(' ')[0]}`,
      },
    ];
  } finally {
    await vigil.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
