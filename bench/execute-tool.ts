/**
 * executeTool in-process on a green no-op tool, audit on, real SQLite file: calls/s and per-call
 * latency, against the bare handler called directly.
 */
import { benchCore, fmt, latencies, noop, type BenchRow } from './common.js';
import type { Caller, ToolContext } from '../src/mcp/tool.js';

export interface ExecuteToolOptions {
  calls: number;
  warmup: number;
}

/** Runs the benchmark and returns its table rows. */
export async function benchExecuteTool(opts: ExecuteToolOptions = { calls: 20_000, warmup: 2_000 }): Promise<BenchRow[]> {
  const { core, dispose } = benchCore();
  const caller: Caller = { kind: 'assistant', id: 'bench', sessionId: 'bench-session' };
  try {
    for (let i = 0; i < opts.warmup; i += 1) await core.pipeline.executeTool('noop', {}, caller);
    const samples = new Array<number>(opts.calls);
    const t0 = performance.now();
    for (let i = 0; i < opts.calls; i += 1) {
      const s = performance.now();
      const r = await core.pipeline.executeTool('noop', {}, caller);
      samples[i] = performance.now() - s;
      if (r.kind !== 'result' || r.isError) throw new Error(`noop failed: ${JSON.stringify(r)}`);
    }
    const elapsed = performance.now() - t0;
    const audited = core.stores.audit.count();
    if (audited !== opts.calls + opts.warmup) throw new Error(`expected ${opts.calls + opts.warmup} audit rows, found ${audited}`);

    const ctx = { caller, signal: new AbortController().signal, logger: core.logger, deps: core.deps, assertMayAct: () => {} } satisfies ToolContext;
    for (let i = 0; i < opts.warmup; i += 1) await noop.handler({}, ctx);
    const baseSamples = new Array<number>(opts.calls);
    const b0 = performance.now();
    for (let i = 0; i < opts.calls; i += 1) {
      const s = performance.now();
      await noop.handler({}, ctx);
      baseSamples[i] = performance.now() - s;
    }
    const baseElapsed = performance.now() - b0;

    const rate = (opts.calls / elapsed) * 1000;
    const baseRate = (opts.calls / baseElapsed) * 1000;
    const lat = latencies(samples);
    const baseLat = latencies(baseSamples);
    return [
      { name: 'executeTool noop (audit on, SQLite file)', value: `${fmt(rate)} calls/s`, target: '≥ 30,000 calls/s', pass: rate >= 30_000 },
      { name: 'executeTool latency p50 / p99', value: `${fmt(lat.p50us, 1)} / ${fmt(lat.p99us, 1)} µs` },
      { name: 'handler called directly', value: `${fmt(baseRate)} calls/s` },
      { name: 'handler latency p50 / p99', value: `${fmt(baseLat.p50us, 2)} / ${fmt(baseLat.p99us, 2)} µs` },
      { name: 'direct / executeTool', value: `${fmt(baseRate / rate, 1)}×` },
    ];
  } finally {
    dispose();
  }
}
