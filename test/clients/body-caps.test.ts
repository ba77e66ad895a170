// Pins the reply-body caps: a Proxmox API reply or an HTTP probe body over its limit is cut off at the limit with a clear error, never read whole, against real local servers sending endless bodies.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, probeHttp } from '../../src/clients/http-probe.js';
import { createProxmoxClient, ProxmoxError } from '../../src/clients/proxmox/index.js';
import { generateLabCertificate } from '../../src/lab/cert.js';

/** What an endless-body server sent per response, so a test can see the client stopped reading. */
const sent: number[] = [];
const CHUNK = Buffer.alloc(64 * 1024, 'x');
const ENDLESS_LIMIT = 64 * 1024 * 1024;

/** Streams `prefix` then filler until the client goes away (or 64 MiB, so a broken client cannot hang the test). */
function endless(res: ServerResponse, prefix: string): void {
  const index = sent.push(0) - 1;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write(prefix);
  const pump = (): void => {
    while (!res.destroyed && sent[index]! < ENDLESS_LIMIT) {
      sent[index]! += CHUNK.length;
      if (!res.write(CHUNK)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

const listen = (srv: Server): Promise<number> =>
  new Promise((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as { port: number }).port)));

let plain: Server;
let secure: Server;
let httpBase = '';
let proxmoxUrl = '';
let fingerprint = '';

beforeAll(async () => {
  plain = createServer((_req, res) => endless(res, 'header '));
  httpBase = `http://127.0.0.1:${await listen(plain)}`;
  const cert = generateLabCertificate();
  fingerprint = cert.fingerprint;
  secure = createHttpsServer({ key: cert.keyPem, cert: cert.certPem }, (_req, res) => endless(res, '{"data":"'));
  proxmoxUrl = `https://127.0.0.1:${await listen(secure)}`;
});
afterAll(() => {
  plain.closeAllConnections();
  plain.close();
  secure.closeAllConnections();
  secure.close();
});

describe('HTTP probe body cap', () => {
  it('searches only the first MAX_BODY_BYTES for bodyMatch and says so when the text is not there', async () => {
    const result = await probeHttp({ url: `${httpBase}/big`, bodyMatch: 'needle', timeoutMs: 20_000 });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(
      /body does not contain "needle" in its first 256 KiB \(the body is longer; only that much is read\)/,
    );
    expect(sent.at(-1)!).toBeLessThan(ENDLESS_LIMIT);
  });

  it('finds bodyMatch text inside the cap', async () => {
    const result = await probeHttp({ url: `${httpBase}/big`, bodyMatch: 'header', timeoutMs: 20_000 });
    expect(result).toMatchObject({ ok: true, bodyMatched: true });
    expect(MAX_BODY_BYTES).toBe(256 * 1024);
  });

  it('does not read a body it does not need', async () => {
    const result = await probeHttp({ url: `${httpBase}/big`, timeoutMs: 20_000 });
    expect(result).toMatchObject({ ok: true, status: 200 });
    await new Promise((r) => setTimeout(r, 50));
    expect(sent.at(-1)!).toBeLessThan(ENDLESS_LIMIT);
  });
});

describe('Proxmox reply cap', () => {
  it('refuses a reply larger than maxReplyBytes with a clear error', async () => {
    const client = createProxmoxClient({
      url: proxmoxUrl,
      tokenId: 'root@pam!vigil',
      tokenSecret: 'secret',
      tls: { fingerprint },
      timeoutMs: 20_000,
      logger: pino({ level: 'silent' }),
      retries: 0,
      maxReplyBytes: 1024 * 1024,
    });
    try {
      const err = await client.clusterStatus().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ProxmoxError);
      expect((err as ProxmoxError).message).toMatch(
        /Proxmox's reply to GET \/cluster\/status is larger than 1 MiB; refused \(proxmox replies are capped at 1 MiB\)/,
      );
      expect(sent.at(-1)!).toBeLessThan(ENDLESS_LIMIT);
    } finally {
      client.close();
    }
  });
});
