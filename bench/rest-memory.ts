/**
 * vigil at rest, as a user runs it: the simulated lab (10 nodes) in its own process, and three
 * `vigil serve` daemons of one build (`--dist`) watching it, each with its own copy of the lab's
 * config and database, default logging, no MCP client. After the rest period (5 minutes by
 * default) their resident memory is read from /proc (median of the three); then each gets its
 * first MCP request: the time initialize took, the time of the first tools/call, and the RSS after.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchRow } from './common.js';
import { checkCall, openSession } from './mcp-wire.js';
import { ASSISTANT_TOKEN, startLab, startVigil, type Running } from './processes.js';
import { load, mb, median, num, sample, ticksPerSecond } from './proc.js';

export interface RestMemoryOptions {
  dist: string;
  nodes: number;
  daemons: number;
  restSeconds: number;
}

/** RSS of each daemon, read now. */
function rssNow(daemons: Running[]): number[] {
  return daemons.map((d) => sample(d.pid)?.rssBytes ?? Number.NaN);
}

/** Runs the benchmark and returns its table rows. */
export async function benchRestMemory(opts: RestMemoryOptions): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-rest-'));
  const hz = ticksPerSecond();
  const daemons: Running[] = [];
  const lab = await startLab(opts.dist, join(dir, 'lab'), opts.nodes);
  try {
    for (let i = 0; i < opts.daemons; i += 1) {
      const own = join(dir, `d${i}`);
      cpSync(join(dir, 'lab'), own, { recursive: true });
      daemons.push(await startVigil(opts.dist, join(own, 'vigil.yaml')));
    }
    const loadBefore = load();
    // Half-way and at the end: the two readings show whether memory still moves (steady state).
    await new Promise((r) => setTimeout(r, (opts.restSeconds * 1000) / 2));
    const half = rssNow(daemons);
    const cpu0 = daemons.map((d) => sample(d.pid)?.cpuTicks ?? Number.NaN);
    await new Promise((r) => setTimeout(r, (opts.restSeconds * 1000) / 2));
    const end = rssNow(daemons);
    const cpu1 = daemons.map((d) => sample(d.pid)?.cpuTicks ?? Number.NaN);
    const cpuPct = cpu1.map((c, i) => ((c - cpu0[i]!) / hz / (opts.restSeconds / 2)) * 100);
    const initMs: number[] = [];
    const callMs: number[] = [];
    const after: number[] = [];
    for (const d of daemons) {
      const session = await openSession(d.url, ASSISTANT_TOKEN);
      initMs.push(session.initializeMs);
      const t0 = performance.now();
      await checkCall(session, 'get_events');
      callMs.push(performance.now() - t0);
      after.push(sample(d.pid)?.rssBytes ?? Number.NaN);
    }
    const label = `vigil serve at rest, ${opts.nodes}-node lab, ${opts.daemons} daemons`;
    const each = (xs: number[]) => xs.map((x) => mb(x)).join(' / ');
    return [
      {
        name: `${label}: RSS after ${num(opts.restSeconds)} s, median (each)`,
        value: `${mb(median(end))} MB (${each(end)})`,
        target: '≤ 64 MB',
        pass: median(end) <= 64 * 1024 * 1024,
      },
      { name: `${label}: RSS at ${num(opts.restSeconds / 2)} s (each)`, value: `${each(half)} MB` },
      { name: `${label}: CPU over the second half (each)`, value: `${cpuPct.map((c) => num(c, 2)).join(' / ')} %` },
      {
        name: 'first MCP request after rest: initialize / first tools/call, median',
        value: `${num(median(initMs))} / ${num(median(callMs))} ms`,
        target: '< 1,000 ms',
        pass: median(initMs) + median(callMs) < 1000,
      },
      { name: 'first MCP request after rest: RSS after it answered (each)', value: `${each(after)} MB` },
      { name: `${label}: load average before / after`, value: `${loadBefore.split(' ')[0]} / ${load().split(' ')[0]}` },
    ];
  } finally {
    await Promise.allSettled(daemons.map((d) => d.stop()));
    await lab.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
