/** Shared pieces of the benchmarks: a throwaway config and database, the no-op tool, latency statistics. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import pino from 'pino';
import { loadConfig } from '../src/config/index.js';
import type { VigilConfig } from '../src/config/types.js';
import { createCore, type Core } from '../src/core.js';
import { defineTool } from '../src/mcp/tool.js';

export const ASSISTANT_TOKEN = 'bench-assistant-token-0123456789';
export const OPERATOR_TOKEN = 'bench-operator-token-0123456789';

/** A green tool that does nothing: what remains is the cost of the path around it. */
export const noop = defineTool({
  name: 'noop',
  title: 'No-op',
  description: 'Does nothing; for benchmarks.',
  tier: 'green',
  kind: 'infra',
  input: z.object({}),
  output: z.object({}),
  target: () => ({}),
  plan: () => 'do nothing',
  handler: async () => ({ text: 'ok', data: {} }),
});

/** A core over a fresh config and SQLite file in a temp dir; `dispose()` closes it and removes the dir. */
export function benchCore(): { core: Core; config: VigilConfig; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  const file = join(dir, 'vigil.yaml');
  writeFileSync(
    file,
    [
      'auth:',
      '  assistantToken: ${env:BENCH_ASSISTANT_TOKEN}',
      '  operatorToken: ${env:BENCH_OPERATOR_TOKEN}',
      'database:',
      '  path: ./vigil.db',
      'logging:',
      '  level: silent',
      '',
    ].join('\n'),
  );
  const config = loadConfig(file, { BENCH_ASSISTANT_TOKEN: ASSISTANT_TOKEN, BENCH_OPERATOR_TOKEN: OPERATOR_TOKEN });
  const core = createCore({ config, logger: pino({ level: 'silent' }), tools: [noop] });
  return {
    core,
    config,
    dispose: async () => {
      await core.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The q-quantile (0–1) of sorted samples. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** p50 and p99 of unsorted latency samples, in microseconds. */
export function latencies(samplesMs: number[]): { p50us: number; p99us: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { p50us: quantile(sorted, 0.5) * 1000, p99us: quantile(sorted, 0.99) * 1000 };
}

/** One line of the results table. */
export interface BenchRow {
  name: string;
  value: string;
  target?: string;
  pass?: boolean;
}

/** Formats a number with thousands separators and `digits` decimals. */
export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/**
 * CPU seconds (user + system, from /proc/<pid>/stat in USER_HZ = 100 ticks) and resident memory
 * (VmRSS) of a process; null where there is no /proc or the process is gone. Clients share the
 * machine with the server, so server CPU per call is what shows the server's own overhead.
 */
export function procStat(pid: number | undefined): { cpuSeconds: number; rssBytes: number } | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line.
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return { cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100, rssBytes: rssKb * 1024 };
  } catch {
    return null;
  }
}
