/** Test harness for OAuth mode: a real vigil with `server.oauth` (config file, SQLite file, HTTP) and raw MCP requests to it. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from './free-port.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { createCore, type Core } from '../../src/core.js';
import { startHttp, type HttpApp } from '../../src/api/app.js';
import { silentLogger } from './vigil.js';

// Tests that build the resource URL before vigil listens take the port from here too.
export { freePort };

export interface OAuthVigil {
  core: Core;
  http: HttpApp;
  /** http://127.0.0.1:PORT/mcp, the configured server.oauth.resource */
  resource: string;
  assistantToken: string;
  operatorToken: string;
  close(): Promise<void>;
}

/**
 * Starts vigil in-process (config file, SQLite file, HTTP) with `server.oauth` for `issuer` on a port
 * chosen first, so `resource` can name it; `oauthLines` are extra keys under `server.oauth`.
 */
export async function startOAuthVigil(options: {
  issuer: string;
  oauthLines?: string[];
  now?: () => number;
  port?: number;
}): Promise<OAuthVigil> {
  const port = options.port ?? (await freePort());
  const resource = `http://127.0.0.1:${port}/mcp`;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-oauth-'));
  const assistantToken = `asst-${randomBytes(16).toString('hex')}`;
  const operatorToken = `oper-${randomBytes(16).toString('hex')}`;
  const configFile = join(dir, 'vigil.yaml');
  writeFileSync(
    configFile,
    [
      'server:',
      '  host: 127.0.0.1',
      '  oauth:',
      `    issuer: ${options.issuer}`,
      `    resource: ${resource}`,
      ...(options.oauthLines ?? []).map((line) => `    ${line}`),
      'auth:',
      `  assistantToken: ${assistantToken}`,
      `  operatorToken: ${operatorToken}`,
      'database:',
      '  path: ./vigil.db',
      'logging:',
      '  level: silent',
    ].join('\n'),
  );
  const core = createCore({
    config: loadConfig(configFile, {}),
    logger: silentLogger,
    ...(options.now ? { now: options.now } : {}),
  });
  const http = await startHttp(core, '127.0.0.1', port);
  return {
    core,
    http,
    resource,
    assistantToken,
    operatorToken,
    async close() {
      await http.close();
      await core.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** POSTs an MCP initialize to `url` with `token` (none: no Authorization header); the status, challenge and body. */
export async function postInitialize(url: string, token: string | undefined) {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
  return {
    status: res.status,
    challenge: res.headers.get('www-authenticate') ?? '',
    retryAfter: res.headers.get('retry-after'),
    body: await res.text(),
  };
}
