// Pins the check_http allow-list: only configured httpChecks URLs unless safety.httpAllow names the host or its network, with clear config errors for bad entries.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpAllowPolicy, isHttpAllowEntry } from '../../src/util/http-allow.js';
import { createHttpProber } from '../../src/clients/http-probe.js';
import { loadConfig } from '../../src/config/index.js';
import { ConfigError } from '../../src/errors.js';
import { startTestVigil, textOf, type TestVigil } from '../helpers/vigil.js';

describe('allow policy', () => {
  const configured = ['http://127.0.0.1:8080/health'];

  it('allows exactly the configured URLs by default', async () => {
    const policy = createHttpAllowPolicy(configured, []);
    expect(policy.refusal('http://127.0.0.1:8080/health')).toBeNull();
    for (const url of [
      'http://127.0.0.1:8080/admin',
      'http://127.0.0.1:22/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]:8080/health',
      'http://localhost:8080/health',
    ]) {
      expect({ url, refusal: policy.refusal(url) }).toMatchObject({
        url,
        refusal: expect.stringMatching(/may not probe/),
      });
    }
  });

  it('allows hosts, wildcard names, addresses and CIDR blocks from safety.httpAllow', async () => {
    const policy = createHttpAllowPolicy(configured, [
      'grafana.lan',
      '*.svc.lan',
      '10.0.0.0/24',
      '192.168.1.20',
      'fd00::/8',
    ]);
    for (const ok of [
      'http://grafana.lan/',
      'https://GRAFANA.lan:3000/x',
      'http://a.svc.lan/',
      'http://10.0.0.200/',
      'http://192.168.1.20:9000/',
      'http://[fd00::5]/',
    ]) {
      expect({ ok, refusal: policy.refusal(ok) }).toEqual({ ok, refusal: null });
    }
    for (const no of ['http://grafana.lan.evil.com/', 'http://svc.lan/', 'http://10.0.1.1/', 'http://192.168.1.21/']) {
      expect(policy.refusal(no)).toMatch(/safety\.httpAllow/);
    }
  });

  it('validates entries', async () => {
    for (const good of ['grafana.lan', '*.lan', '10.0.0.0/8', '::1', 'fe80::/10', 'host_1']) {
      expect({ good, valid: isHttpAllowEntry(good) }).toEqual({ good, valid: true });
    }
    for (const bad of ['10.0.0.0/33', 'http://x', 'a b', '*', '10.0.0.0/', '::/129', '-x.lan', 'x/24']) {
      expect({ bad, valid: isHttpAllowEntry(bad) }).toEqual({ bad, valid: false });
    }
  });

  it('reports a bad safety.httpAllow entry naming the key and the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-allow-'));
    const file = join(dir, 'vigil.yaml');
    writeFileSync(
      file,
      `auth:\n  assistantToken: ${'a'.repeat(32)}\n  operatorToken: ${'b'.repeat(32)}\nsafety:\n  httpAllow: ["grafana.lan", "10.0.0.0/33"]\n`,
    );
    let error: unknown;
    try {
      loadConfig(file, {});
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.join('\n')).toMatch(
      /safety\.httpAllow\[1\]: expected a host name, IP address or CIDR/,
    );
  });
});

describe('check_http through the pipeline', () => {
  let server: Server;
  let base = '';
  let strict: TestVigil;
  let open: TestVigil;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('fine'));
    const port = await new Promise<number>((r) =>
      server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port)),
    );
    base = `http://127.0.0.1:${port}`;
    const checks = `httpChecks:\n  - name: web\n    url: ${base}/health\n`;
    strict = await startTestVigil({ yaml: checks, clients: { http: createHttpProber() } });
    open = await startTestVigil({
      yaml: checks,
      safetyYaml: 'safety:\n  httpAllow: ["127.0.0.0/8"]',
      clients: { http: createHttpProber() },
    });
  });
  afterAll(async () => {
    await strict?.close();
    await open?.close();
    server?.close();
  });

  it('refuses an ad-hoc URL outside the allow-list as a tool error, audited', async () => {
    const client = await strict.connect();
    const refused = await client.callTool({ name: 'check_http', arguments: { url: `${base}/internal` } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/may not probe http:\/\/127\.0\.0\.1:\d+: only the URLs of configured httpChecks/);
    expect((await strict.core.stores.audit.list({ limit: 1 }))[0]).toMatchObject({
      tool: 'check_http',
      outcome: 'error',
    });
    const configured = await client.callTool({ name: 'check_http', arguments: { url: `${base}/health` } });
    expect(configured.isError).toBe(false);
    expect(textOf(configured)).toMatch(/^1\/1 up/);
  });

  it('probes a URL whose host safety.httpAllow covers', async () => {
    const client = await open.connect();
    const result = await client.callTool({ name: 'check_http', arguments: { url: `${base}/internal` } });
    expect(result.isError).toBe(false);
    expect(textOf(result)).toMatch(/^1\/1 up/);
  });
});
