// Pins check_http: configured checks by name or all, ad-hoc URLs, DOWN as a result rather than a failure, unknown names refused.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpCheckConfig } from '../../../src/config/types.js';
import { checkHttp } from '../../../src/mcp/tools/http.js';
import { startToolLab, type ToolLab } from './services-lab.js';

describe('check_http', () => {
  let t: ToolLab;
  let srv: Server;
  let base = '';
  let checks: HttpCheckConfig[] = [];
  beforeAll(async () => {
    t = await startToolLab();
    srv = createServer((req, res) => {
      res.statusCode = req.url === '/health' ? 200 : 500;
      res.end(req.url === '/health' ? 'ok: healthy' : 'broken');
    });
    const port = await new Promise<number>((r) =>
      srv.listen(0, '127.0.0.1', () => r((srv.address() as { port: number }).port)),
    );
    base = `http://127.0.0.1:${port}`;
    const check = (name: string, path: string): HttpCheckConfig => ({
      name,
      url: `${base}${path}`,
      expectStatus: 200,
      bodyMatch: 'healthy',
      timeoutSeconds: 5,
      tls: { insecure: false },
    });
    checks = [check('web', '/health'), check('api', '/broken')];
  });
  afterAll(async () => {
    srv?.close();
    await t?.close();
  });

  it('runs every configured check, reporting DOWN ones as results', async () => {
    const out = await t.call(checkHttp, {}, checks);
    expect(out.text.split('\n')[0]).toBe('1/2 up');
    expect(out.text).toMatch(/UP web .* → 200/);
    expect(out.text).toMatch(/DOWN api .* → 500 in \d+ ms: status 500, expected 200; body does not contain "healthy"/);
    expect(out.data?.results).toMatchObject([
      { name: 'web', ok: true, bodyMatched: true },
      { name: 'api', ok: false, status: 500 },
    ]);
  });

  it('runs one check by name, or an ad-hoc URL', async () => {
    expect((await t.call(checkHttp, { name: 'web' }, checks)).data?.results).toMatchObject([{ name: 'web', ok: true }]);
    const adhoc = await t.call(checkHttp, { url: `${base}/broken`, expectStatus: 500 }, checks);
    expect(adhoc.data?.results).toMatchObject([{ ok: true, status: 500 }]);
  });

  it('refuses unknown names, both name and url, and non-http URLs', async () => {
    await expect(t.call(checkHttp, { name: 'nope' }, checks)).rejects.toThrow(
      'unknown HTTP check "nope"; configured checks: web, api',
    );
    await expect(t.call(checkHttp, { name: 'web', url: `${base}/health` }, checks)).rejects.toThrow(
      /either name .* or url/,
    );
    await expect(t.call(checkHttp, { url: 'file:///etc/passwd' }, checks)).rejects.toThrow();
  });
});
