// Pins the run step's AbortSignal: made only when a handler reads it, aborted at the deadline and when the call is over, read early or late.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import pino from 'pino';
import { defineTool, type ToolContext } from '../../../src/mcp/tool.js';
import { lazyAbort, runCall } from '../../../src/mcp/steps/run.js';
import type { ToolDeps } from '../../../src/mcp/deps.js';

const logger = pino({ level: 'silent' });
const preferences = {
  killSwitch: async () => ({ active: false, scope: 'autonomy' as const, reason: '' }),
  autonomyLevel: async () => 3 as const,
};

/** A green tool whose handler is `handler`, run through the run step with a `timeoutMs` deadline. */
function run(handler: (ctx: ToolContext) => Promise<unknown>, timeoutMs = 5000) {
  const tool = defineTool({
    name: 'test_run',
    title: 'Run',
    description: 'green tool for the run step',
    tier: 'green',
    kind: 'infra',
    input: z.object({}),
    output: z.object({}),
    target: () => ({}),
    plan: () => 'run',
    handler: async (_args, ctx) => {
      await handler(ctx);
      return { text: 'done', data: {} };
    },
  });
  return runCall({
    call: { tool, args: {}, tier: 'green', target: {} },
    caller: { kind: 'operator', id: 'test' },
    deps: {} as ToolDeps,
    preferences,
    logger,
    redact: (v) => v,
    timeoutMs,
  });
}

describe('lazyAbort', () => {
  it('gives one signal, aborted with the first reason, whether it is read before or after the abort', async () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.string(), (readFirst, finishToo, why) => {
        const abort = lazyAbort();
        const early = readFirst ? abort.signal() : undefined;
        abort.abort(why);
        if (finishToo) abort.finish('finished');
        const signal = abort.signal();
        expect(early === undefined || early === signal).toBe(true);
        expect(signal.aborted).toBe(true);
        expect(signal.reason).toBe(why);
      }),
    );
  });

  it('finish aborts a live signal, and one read after finishing is already aborted', async () => {
    const read = lazyAbort();
    const signal = read.signal();
    read.finish('over');
    expect([signal.aborted, signal.reason]).toEqual([true, 'over']);
    const late = lazyAbort();
    late.finish('over');
    expect([late.signal().aborted, late.signal().reason]).toEqual([true, 'over']);
  });
});

describe('runCall', () => {
  it('aborts the signal a handler read once the call is over', async () => {
    let seen: AbortSignal | undefined;
    const answer = await run(async (ctx) => {
      seen = ctx.signal;
      return {};
    });
    expect(answer.outcome).toBe('ok');
    expect(seen?.aborted).toBe(true);
  });

  it('times out a handler that never reads the signal, and one read after the deadline is aborted', async () => {
    let late: ToolContext | undefined;
    const answer = await run(
      (ctx) =>
        new Promise(() => {
          late = ctx;
        }),
      20,
    );
    expect(answer).toMatchObject({ outcome: 'timeout', code: 'ERR_TIMEOUT' });
    expect(late?.signal.aborted).toBe(true);
    expect(String((late?.signal.reason as Error).message)).toContain('test_run');
  });

  it('aborts a signal read before the deadline when the deadline passes', async () => {
    const answer = await run(
      (ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(new Error('aborted')));
        }),
      20,
    );
    expect(answer).toMatchObject({ outcome: 'timeout', code: 'ERR_TIMEOUT' });
  });
});
