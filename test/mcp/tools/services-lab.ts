/** Test helper for the SSH/WoL/HTTP tools: a lab, vigil's clients pointed at it, and a hand-built ToolContext. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createHttpProber } from '../../../src/clients/http-probe.js';
import { createSshPool, type SshPool } from '../../../src/clients/ssh/index.js';
import { createWolSender } from '../../../src/clients/wol.js';
import type { HttpCheckConfig, NodeConfig, VigilConfig } from '../../../src/config/types.js';
import type { ToolDeps } from '../../../src/mcp/deps.js';
import type { ToolContext, ToolDefinition, ToolOutput } from '../../../src/mcp/tool.js';
import { startLab, type Lab } from '../../../src/lab/index.js';
import { ToolFailure } from '../../../src/errors.js';
import { expectOutputOf } from '../../helpers/outputs.js';

export interface ToolLab {
  lab: Lab;
  nodes: NodeConfig[];
  pool: SshPool;
  /** How many times handlers called assertMayAct. */
  mayActCalls: number;
  /** Set to make assertMayAct throw, as a kill switch flipped after the gate would. */
  killSwitch: boolean;
  /** Runs a tool's handler with validated args and a hand-built ctx; checks its data against the output schema. */
  call(tool: ToolDefinition, args: Record<string, unknown>, httpChecks?: HttpCheckConfig[]): Promise<ToolOutput>;
  close(): Promise<void>;
}

/** Starts a two-node lab and the clients; nodes list nginx.service and pveproxy.service (and ghost.service, which the lab lacks). */
export async function startToolLab(): Promise<ToolLab> {
  const lab = await startLab({ nodes: 2, guests: 2, bootMs: 50 });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-tools-'));
  const keyFile = join(dir, 'id_ed25519');
  writeFileSync(keyFile, lab.sshClientKey?.privateKey ?? '', { mode: 0o600 });
  const nodes: NodeConfig[] = lab.nodesInfo().map((n) => ({
    name: n.name,
    ssh: {
      host: '127.0.0.1',
      port: n.sshPort ?? 0,
      user: 'root',
      privateKeyFile: keyFile,
      agent: false,
      hostKeyFingerprint: n.hostKeyFingerprint ?? '',
      commandTimeoutSeconds: 10,
    },
    wol: { mac: n.mac, address: '127.0.0.1', port: n.wolPort ?? 0, via: 'direct' },
    services: ['nginx.service', 'pveproxy.service', 'ghost.service'],
    cleanup: {
      logPaths: ['/var/log/app'],
      maxAgeDays: 7,
      journalVacuumSize: '100M',
      packageCache: true,
      truncateAboveMB: 100,
    },
  }));
  const logger = pino({ level: 'silent' });
  const pool = createSshPool({ logger });
  const t: ToolLab = {
    lab,
    nodes,
    pool,
    mayActCalls: 0,
    killSwitch: false,
    async call(tool, args, httpChecks = []) {
      const config = { nodes, httpChecks, safety: { toolTimeoutSeconds: 30, httpAllow: [] } } as unknown as VigilConfig;
      const deps = {
        config,
        clients: { ssh: pool, wol: createWolSender({ logger }), http: createHttpProber() },
        now: Date.now,
      } as unknown as ToolDeps;
      const ctx: ToolContext = {
        caller: { kind: 'operator', id: 'test' },
        signal: new AbortController().signal,
        logger,
        deps,
        async assertMayAct() {
          t.mayActCalls++;
          if (t.killSwitch)
            throw new ToolFailure('blocked by the kill switch (scope all: no yellow or red action from anyone)');
        },
      };
      const out = await tool.handler(tool.input.parse(args), ctx);
      expectOutputOf(tool, out.data);
      return out;
    },
    async close() {
      await pool.close();
      await lab.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}
