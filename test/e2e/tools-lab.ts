/**
 * E2E helper: a lab, the config `writeLabConfig` writes for it, and a real vigil (createClients
 * from that config) reached by real MCP clients; plus the audit and lab-control plumbing the
 * tools-*.test.ts files share.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createClients } from '../../src/clients/index.js';
import { startLab, type Lab, type LabOptions } from '../../src/lab/index.js';
import { writeLabConfig, type LabConfigOptions } from '../../src/lab/config-writer.js';
import type { AuditRow } from '../../src/db/audit.js';
import { silentLogger, startTestVigil, textOf, type TestVigil } from '../helpers/vigil.js';
import { expectOutputOf } from '../helpers/outputs.js';

export const labEnv = {
  VIGIL_ASSISTANT_TOKEN: `asst-${'a'.repeat(32)}`,
  VIGIL_OPERATOR_TOKEN: `oper-${'o'.repeat(32)}`,
};

/** A fast lab: short tasks and boots so a file's tests stay quick. */
export function startFastLab(opts: LabOptions = {}): Promise<Lab> {
  return startLab({ nodes: 2, guests: 2, taskMs: 20, bootMs: 150, ...opts });
}

export interface LabVigil {
  vigil: TestVigil;
  configFile: string;
  close(): Promise<void>;
}

/** Writes a lab config (in its own directory, so its own database) and starts vigil on it. */
export async function startLabVigil(
  lab: Lab,
  opts: Omit<LabConfigOptions, 'privateKeyFile' | 'caFile'> = {},
): Promise<LabVigil> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
  const { configFile } = writeLabConfig(lab, join(dir, 'vigil.yaml'), { logLevel: 'silent', ...opts });
  const vigil = await startTestVigil({
    configFile,
    env: labEnv,
    clients: (config) => createClients(config, silentLogger),
  });
  return {
    vigil,
    configFile,
    async close() {
      await vigil.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An MCP client that accepts every elicitation (confirm ticked), and the messages it was shown. */
export async function confirmingClient(vigil: TestVigil): Promise<{ client: Client; asked: string[] }> {
  const asked: string[] = [];
  const client = await vigil.connect({
    elicit: (message) => {
      asked.push(message);
      return { action: 'accept', content: { confirm: true } };
    },
  });
  return { client, asked };
}

export interface Called {
  isError: boolean;
  text: string;
  data: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests index into structured tool output
  /** The one audit row this call wrote. */
  audit: AuditRow;
}

/** Calls a tool and asserts it wrote exactly one audit row, for this tool, and that a success's data fits the tool's output schema. */
export async function call(
  vigil: TestVigil,
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<Called> {
  const before = await vigil.core.stores.audit.count();
  const result = await client.callTool({ name, arguments: args });
  expect((await vigil.core.stores.audit.count()) - before, `audit rows written by ${name}`).toBe(1);
  const audit = (await vigil.core.stores.audit.list({ limit: 1 }))[0]!;
  expect(audit.tool).toBe(name);
  // A call that ran and succeeded answers with data of the tool's output schema.
  const tool = vigil.core.pipeline.tools.find((t) => t.name === name);
  if (tool && audit.decision === 'allowed' && audit.outcome === 'ok') expectOutputOf(tool, result.structuredContent);
  return {
    isError: result.isError === true,
    text: textOf(result),
    data: (result.structuredContent ?? {}) as Record<string, unknown>,
    audit,
  };
}

/** Calls the lab's control API (loopback, no token), trusting only the lab CA. */
export function labControl(
  lab: Lab,
  method: string,
  path: string,
  body?: unknown,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- control replies are free-form JSON
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      `${lab.url}${path}`,
      { method, ca: lab.caPem, headers: payload ? { 'content-type': 'application/json' } : {} },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Polls `check` until it is true (lab state changes on its own timers), failing after `timeoutMs`. */
export async function eventually(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
