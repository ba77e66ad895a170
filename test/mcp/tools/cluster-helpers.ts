/** A lab plus a hand-built ToolContext for unit-testing the Proxmox tool handlers. */
import { pino } from 'pino';
import { createProxmoxClient, type ProxmoxClient } from '../../../src/clients/proxmox/index.js';
import { ToolFailure } from '../../../src/errors.js';
import { openDatabase } from '../../../src/db/database.js';
import { createSqlitePorts } from '../../../src/db/sqlite-ports.js';
import { startLab, type Lab } from '../../../src/lab/index.js';
import type { ToolDeps } from '../../../src/mcp/deps.js';
import type { ToolContext, ToolDefinition, ToolOutput } from '../../../src/mcp/tool.js';
import { expectOutputOf } from '../../helpers/outputs.js';

export interface ProxmoxHarness {
  lab: Lab;
  client: ProxmoxClient;
  close(): Promise<void>;
}

/** Starts a fast lab (API only) and a client pinned to its certificate. */
export async function startHarness(): Promise<ProxmoxHarness> {
  const lab = await startLab({ taskMs: 20, bootMs: 50, extraServices: [] });
  const client = createProxmoxClient({
    url: lab.url,
    tokenId: lab.token.id,
    tokenSecret: lab.token.secret,
    tls: { fingerprint: lab.fingerprint },
    timeoutMs: 5000,
    logger: pino({ level: 'silent' }),
    backoffMs: 1,
  });
  return {
    lab,
    client,
    async close() {
      client.close();
      await lab.close();
    },
  };
}

/** Options for one hand-built context. */
export interface CtxOptions {
  proxmox?: ProxmoxClient;
  /** Make assertMayAct throw, as a kill switch flipped after the gate would. */
  killSwitch?: boolean;
  signal?: AbortSignal;
}

/** A ToolContext with only what the Proxmox handlers use (and an empty store); `acts` counts assertMayAct calls. */
export function makeCtx(o: CtxOptions = {}): ToolContext & { acts: number } {
  const ctx = {
    acts: 0,
    caller: { kind: 'operator' as const, id: 'test' },
    signal: o.signal ?? new AbortController().signal,
    logger: pino({ level: 'silent' }),
    deps: {
      clients: { proxmox: o.proxmox },
      now: () => Date.now(),
      // get_cluster_status judges usage by the monitor's default thresholds and lists its open incidents.
      config: { monitor: { thresholds: { diskPercent: 90, memoryPercent: 95 } } },
      stores: createSqlitePorts(openDatabase(':memory:')),
    } as unknown as ToolDeps,
    async assertMayAct() {
      ctx.acts++;
      if (o.killSwitch)
        throw new ToolFailure('blocked by the kill switch (scope all: no yellow or red action from anyone)');
    },
  };
  return ctx;
}

/**
 * Parses the arguments with the tool's schema (as the pipeline does), runs the handler and checks
 * its data against the tool's output schema.
 */
export async function run(tool: ToolDefinition, args: Record<string, unknown>, ctx: ToolContext): Promise<ToolOutput> {
  const out = await tool.handler(tool.input.parse(args), ctx);
  expectOutputOf(tool, out.data);
  return out;
}

/** The ToolFailure message a call ends with (fails the test if it succeeds or throws something else). */
export async function failureOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => new Error('expected a ToolFailure, the call succeeded'),
    (e: unknown) => e,
  );
  if (!(err instanceof ToolFailure)) throw err;
  return err.message;
}
