// Pins what vigil serve loads on first use: no express until the first request it serves, no MCP SDK module until the first /mcp request (loaded once, a failed load retried, the request answered), no prom-client until the first /metrics scrape, and never jose without OAuth nor pino-pretty when logging JSON.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lazyMcpRouter, type McpLoader } from '../../src/api/mcp-lazy.js';
import { silentLogger, startTestVigil, writeTestConfig, type TestVigil } from '../helpers/vigil.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'lazy-test', version: '1' } },
};
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('lazyMcpRouter', () => {
  let vigil: TestVigil;
  let server: Server;
  let url: string;
  let loads = 0;
  let failNext = false;
  let lazy: ReturnType<typeof lazyMcpRouter>;

  beforeAll(async () => {
    vigil = await startTestVigil();
    let host = '';
    const load: McpLoader = async () => {
      loads += 1;
      if (failNext) {
        failNext = false;
        throw new Error('module missing');
      }
      return import('../../src/api/mcp-http.js');
    };
    lazy = lazyMcpRouter(
      {
        pipeline: vigil.core.pipeline,
        tokens: vigil.core.config.auth,
        logger: silentLogger,
        allowedHosts: () => new Set([host]),
        allowedOrigins: () => new Set(),
      },
      load,
    );
    const app = express();
    app.use('/mcp', lazy.handler);
    app.use((_err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ error: 'internal error' });
    });
    server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    url = `http://${host}/mcp`;
  });
  afterAll(async () => {
    await lazy.close();
    server.close();
    await vigil.close();
  });

  const initialize = () =>
    fetch(url, {
      method: 'POST',
      headers: { ...MCP_HEADERS, authorization: `Bearer ${vigil.assistantToken}` },
      body: JSON.stringify(INITIALIZE),
    });

  it('loads nothing until the first request, retries a failed load, then loads once for any number of requests', async () => {
    expect([lazy.loaded(), loads]).toEqual([false, 0]);
    failNext = true;
    expect((await initialize()).status).toBe(500);
    expect(lazy.loaded()).toBe(false);
    const answers = await Promise.all([initialize(), initialize(), initialize()]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.every((a) => a.headers.get('mcp-session-id'))).toBe(true);
    expect([lazy.loaded(), loads]).toEqual([true, 2]);
  });

  it('answers 503 once closed', async () => {
    await lazy.close();
    expect((await initialize()).status).toBe(503);
  });
});

describe('the daemon', () => {
  let vigil: TestVigil;
  beforeAll(async () => {
    vigil = await startTestVigil();
  });
  afterAll(async () => {
    await vigil.close();
  });

  it('serves health, the API, the dashboard and /events without the MCP layer, and MCP with it', async () => {
    await fetch(`${vigil.url}/healthz`);
    await vigil.api('GET', '/api/status');
    await fetch(`${vigil.url}/`);
    await fetch(`${vigil.url}/socket.io/socket.io.min.js`);
    expect(vigil.http.mcpLoaded()).toBe(false);
    const client = await vigil.connect();
    expect(vigil.http.mcpLoaded()).toBe(true);
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThan(0);
  });
});

describe('vigil serve', () => {
  let dir: string;
  let child: ChildProcess;
  let stderr = '';
  let assistantToken: string;

  /** Resolves with the daemon's URL once it prints that it is serving. */
  const serving = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const seen = (): void => {
        const match = /serving on (http:\/\/\S+)/.exec(stderr);
        if (match) resolve(match[1]!);
      };
      child.stderr!.on('data', seen);
      child.stdout!.on('data', (d: Buffer) => {
        stderr += d.toString();
        seen();
      });
      child.on('exit', (code) => reject(new Error(`vigil serve exited with ${code}: ${stderr}`)));
    });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-lazy-'));
    ({ assistantToken } = writeTestConfig(dir, { yaml: 'monitor:\n  enabled: false' }));
    // Reports every module the daemon resolves from express, the MCP SDK packages, prom-client, jose and pino-pretty, on stderr.
    const resolveHook =
      'export async function resolve(s, c, n) { const r = await n(s, c); ' +
      "if (/node_modules\\/express\\/|@modelcontextprotocol|prom-client|jose|pino-pretty/.test(r.url)) process.stderr.write('[lazy-module] ' + r.url + '\\n'); return r; }";
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(resolveHook)}`)});`;
    const hook = `data:text/javascript,${encodeURIComponent(register)}`;
    child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', hook, 'src/cli.ts', 'serve', '--config', join(dir, 'vigil.yaml'), '--port', '0'],
      { cwd: join(import.meta.dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  });
  afterAll(() => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads no express before a request it serves (an /mcp request included), no MCP SDK module before the first /mcp request, nor prom-client before the first scrape, nor jose or pino-pretty', async () => {
    const url = await serving();
    // Serving, and the monitor's first cycles done: nothing lazy is loaded yet.
    await new Promise((r) => setTimeout(r, 500));
    expect(stderr).not.toContain('[lazy-module]');
    const answer = await fetch(`${url}/mcp`, {
      method: 'POST',
      headers: { ...MCP_HEADERS, authorization: `Bearer ${assistantToken}` },
      body: JSON.stringify(INITIALIZE),
    });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('"serverInfo"');
    expect(stderr).toContain('@modelcontextprotocol');
    // The MCP layer reads its own bodies: it needs no express either.
    expect(stderr).not.toMatch(/\[lazy-module\] \S*node_modules\/express\//);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(stderr).toMatch(/\[lazy-module\] \S*node_modules\/express\//);
    expect(stderr).not.toContain('prom-client');
    const scrape = await fetch(`${url}/metrics`);
    expect(await scrape.text()).toContain('vigil_tool_calls_total');
    expect(stderr).toContain('prom-client');
    // No OAuth in this config, and stderr is a pipe (JSON logs).
    expect(stderr).not.toMatch(/\[lazy-module\] \S*(jose|pino-pretty)/);
  }, 60_000);
});
