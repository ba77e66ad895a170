/** Test harness: a real vigil (config file, SQLite file, HTTP server) in a temp dir, and real MCP clients for it. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import pino from 'pino';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { loadConfig } from '../../src/config/index.js';
import { createCore, type Core } from '../../src/core.js';
import { startHttp, type HttpApp } from '../../src/api/app.js';
import type { ToolDefinition } from '../../src/mcp/tool.js';
import type { InfraClients } from '../../src/clients/index.js';
import type { VigilConfig } from '../../src/config/types.js';

export const silentLogger = pino({ level: 'silent' });

export interface TestVigilOptions {
  /** Extra YAML appended to the generated config (top-level keys). */
  yaml?: string;
  /** Replaces the `safety:` block. */
  safetyYaml?: string;
  tools?: ToolDefinition[];
  /** The clients, or a factory given the loaded config (e.g. `(c) => createClients(c, logger)`). */
  clients?: InfraClients | ((config: VigilConfig) => InfraClients);
  /**
   * Use this config file (e.g. one `writeLabConfig` wrote) instead of generating one; its
   * `${env:...}` references resolve from `env`. `yaml` and `safetyYaml` are then ignored.
   */
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** Reuse a directory (and so its database) from an earlier instance. */
  dir?: string;
}

export interface TestVigil {
  dir: string;
  configFile: string;
  core: Core;
  http: HttpApp;
  url: string;
  assistantToken: string;
  operatorToken: string;
  /** A real SDK client over Streamable HTTP; pass `elicit` to advertise elicitation. */
  connect(options?: {
    elicit?: (message: string) => ElicitResult | Promise<ElicitResult>;
    name?: string;
  }): Promise<Client>;
  /** Calls the operator REST API. */
  api(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests index into arbitrary JSON;
  close(): Promise<void>;
}

/** Writes a config file for a test vigil and returns its path and tokens. */
export function writeTestConfig(dir: string, options: Pick<TestVigilOptions, 'yaml' | 'safetyYaml'> = {}) {
  const assistantToken = `asst-${randomBytes(16).toString('hex')}`;
  const operatorToken = `oper-${randomBytes(16).toString('hex')}`;
  const configFile = join(dir, 'vigil.yaml');
  writeFileSync(
    configFile,
    [
      'server:',
      '  host: 127.0.0.1',
      'auth:',
      `  assistantToken: ${assistantToken}`,
      `  operatorToken: ${operatorToken}`,
      'database:',
      '  path: ./vigil.db',
      'logging:',
      '  level: silent',
      options.safetyYaml ?? 'safety:\n  confirmation: elicit',
      options.yaml ?? '',
    ].join('\n'),
  );
  return { configFile, assistantToken, operatorToken };
}

/** Starts vigil in-process on 127.0.0.1 with an ephemeral port. */
export async function startTestVigil(options: TestVigilOptions = {}): Promise<TestVigil> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'vigil-test-'));
  const configFile = options.configFile ?? writeTestConfig(dir, options).configFile;
  const config = loadConfig(configFile, options.env ?? {});
  const { assistantToken, operatorToken } = config.auth;
  const core = createCore({
    config,
    logger: silentLogger,
    ...(options.tools ? { tools: options.tools } : {}),
    ...(options.clients
      ? { clients: typeof options.clients === 'function' ? options.clients(config) : options.clients }
      : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const http = await startHttp(core, '127.0.0.1', 0);
  const clients: Client[] = [];

  return {
    dir,
    configFile,
    core,
    http,
    url: http.url,
    assistantToken,
    operatorToken,
    async connect(opts = {}) {
      const client = new Client(
        { name: opts.name ?? 'test-client', version: '1.0.0' },
        { capabilities: opts.elicit ? { elicitation: {} } : {} },
      );
      if (opts.elicit) {
        const answer = opts.elicit;
        client.setRequestHandler(ElicitRequestSchema, async (request) => answer(request.params.message));
      }
      const transport = new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${assistantToken}` } },
      });
      await client.connect(transport);
      clients.push(client);
      return client;
    },
    async api(method, path, body, token = operatorToken) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      const res = await fetch(`${http.url}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON: the raw text is what the test sees.
      }
      return { status: res.status, body: parsed };
    },
    async close() {
      await Promise.allSettled(clients.map((c) => c.close()));
      await http.close();
      await core.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs the vigil CLI from source (through tsx) and collects its output. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: join(import.meta.dirname, '..', '..'),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The text of a tool result's first content block. */
export function textOf(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content.map((c) => c.text ?? '').join('\n');
}
