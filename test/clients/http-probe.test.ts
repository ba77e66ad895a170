// Pins the HTTP probe: status and body checks, TLS trust (CA file, insecure, untrusted), refused, timeout and abort all returned as values.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeHttp } from '../../src/clients/http-probe.js';
import { generateLabCertificate } from '../../src/lab/cert.js';

const listen = (srv: Server): Promise<number> =>
  new Promise((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as { port: number }).port)));

describe('probeHttp', () => {
  const servers: Server[] = [];
  let base = '';
  let tlsBase = '';
  let caFile = '';

  beforeAll(async () => {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      if (req.url === '/ok') res.end('<h1>all systems nominal</h1>');
      else if (req.url === '/fail') {
        res.statusCode = 503;
        res.end('down');
      } else if (req.url === '/slow') {
        // never answers; the probe's deadline must end it
      } else {
        res.statusCode = 404;
        res.end();
      }
    };
    const plain = createServer(handler);
    servers.push(plain);
    base = `http://127.0.0.1:${await listen(plain)}`;
    const cert = generateLabCertificate();
    const secure = createHttpsServer({ key: cert.keyPem, cert: cert.certPem }, handler);
    servers.push(secure);
    tlsBase = `https://127.0.0.1:${await listen(secure)}`;
    caFile = join(mkdtempSync(join(tmpdir(), 'vigil-http-')), 'ca.pem');
    writeFileSync(caFile, cert.caPem);
  });
  afterAll(() => {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
  });

  it('passes on the expected status and body', async () => {
    const r = await probeHttp({ url: `${base}/ok`, expectStatus: 200, bodyMatch: 'nominal', timeoutMs: 5000 });
    expect(r).toMatchObject({ ok: true, status: 200, bodyMatched: true });
    expect(r.error).toBeUndefined();
  });

  it('fails on a wrong status or a missing body substring', async () => {
    expect(await probeHttp({ url: `${base}/fail`, expectStatus: 200, timeoutMs: 5000 })).toMatchObject({
      ok: false,
      status: 503,
      error: 'status 503, expected 200',
    });
    expect(await probeHttp({ url: `${base}/ok`, bodyMatch: 'degraded', timeoutMs: 5000 })).toMatchObject({
      ok: false,
      status: 200,
      bodyMatched: false,
      error: 'body does not contain "degraded"',
    });
    expect(await probeHttp({ url: `${base}/fail`, expectStatus: 503, timeoutMs: 5000 })).toMatchObject({ ok: true });
  });

  it('trusts a CA file, honours insecure, and explains an untrusted certificate', async () => {
    expect(await probeHttp({ url: `${tlsBase}/ok`, timeoutMs: 5000, tls: { caFile } })).toMatchObject({
      ok: true,
      status: 200,
    });
    expect(await probeHttp({ url: `${tlsBase}/ok`, timeoutMs: 5000, tls: { insecure: true } })).toMatchObject({
      ok: true,
    });
    const untrusted = await probeHttp({ url: `${tlsBase}/ok`, timeoutMs: 5000 });
    expect(untrusted.ok).toBe(false);
    expect(untrusted.error).toMatch(/TLS certificate .* not trusted/);
  });

  it('reports refused connections, timeouts, aborts and bad URLs as values', async () => {
    const closed = createServer();
    const port = await listen(closed);
    await new Promise((r) => closed.close(r));
    expect(await probeHttp({ url: `http://127.0.0.1:${port}/`, timeoutMs: 5000 })).toMatchObject({
      ok: false,
      error: `connection refused by 127.0.0.1:${port}`,
    });
    expect(await probeHttp({ url: `${base}/slow`, timeoutMs: 200 })).toMatchObject({
      ok: false,
      error: 'no response within 200 ms',
    });
    const ac = new AbortController();
    const pending = probeHttp({ url: `${base}/slow`, timeoutMs: 10_000, signal: ac.signal });
    ac.abort();
    expect(await pending).toMatchObject({ ok: false, error: 'aborted' });
    expect(await probeHttp({ url: 'not a url', timeoutMs: 100 })).toMatchObject({
      ok: false,
      error: 'invalid URL "not a url"',
    });
    expect(await probeHttp({ url: 'ftp://127.0.0.1/', timeoutMs: 100 })).toMatchObject({ ok: false });
  });
});
