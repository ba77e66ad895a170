// Pins how /mcp reads its body without express: plain JSON parsed, an empty body is {}, no body is undefined, a body over the limit is 413, a scalar or broken body is a parse failure, and gzip or text bodies get body-parser's answers.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBodyReader } from '../../src/api/mcp-body.js';

const LIMIT = 1000;
let server: Server;
let port = 0;

beforeAll(async () => {
  const read = createBodyReader(LIMIT);
  server = createServer((req, res) => {
    void read(req).then((r) =>
      res.end(JSON.stringify(r.ok ? { body: r.body ?? null, none: r.body === undefined } : r.error)),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((r) => server.close(r)));

function send(
  body: Buffer | string | null,
  headers: Record<string, string>,
  method = 'POST',
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: '/mcp', headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
    });
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}
const json = { 'content-type': 'application/json' };

describe('the /mcp body reader', () => {
  it('parses plain JSON, with or without charset=utf-8, and sent in chunks', async () => {
    expect(await send('{"a":1}', json)).toEqual({ body: { a: 1 }, none: false });
    expect(await send('[1]', { 'content-type': 'Application/JSON; charset=UTF-8' })).toEqual({
      body: [1],
      none: false,
    });
    expect(await send('{"b":2}', { ...json, 'transfer-encoding': 'chunked' })).toEqual({ body: { b: 2 }, none: false });
  });
  it('reads an empty body as {} and a request without one as no body', async () => {
    expect(await send('', { ...json, 'content-length': '0' })).toEqual({ body: {}, none: false });
    // node's client sends a GET without a length or chunked coding: a request with no body.
    expect(await send(null, json, 'GET')).toMatchObject({ none: true });
  });
  it('refuses a body over the limit with 413, declared or streamed', async () => {
    const big = JSON.stringify({ x: 'y'.repeat(LIMIT) });
    expect(await send(big, json)).toMatchObject({ status: 413, type: 'entity.too.large' });
    expect(await send(big, { ...json, 'transfer-encoding': 'chunked' })).toMatchObject({ status: 413 });
  });
  it('calls a scalar or broken body a parse failure, as body-parser strict mode does', async () => {
    expect(await send('42', json)).toMatchObject({ status: 400, type: 'entity.parse.failed' });
    expect(await send('{"a":', json)).toMatchObject({ status: 400, type: 'entity.parse.failed' });
  });
  it('leaves gzip, other charsets and other types to body-parser', async () => {
    expect(await send(gzipSync('{"z":true}'), { ...json, 'content-encoding': 'gzip' })).toEqual({
      body: { z: true },
      none: false,
    });
    expect(await send('{}', { 'content-type': 'application/json; charset=latin1' })).toMatchObject({ status: 415 });
    expect(await send('{"a":1}', { 'content-type': 'text/plain' })).toMatchObject({ none: true });
  });
});
