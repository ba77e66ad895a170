// Pins coalesceResponse over real HTTP on loopback: an answer ready within two turns leaves in one
// socket write with its headers; a slower answer sends its headers first, as without it.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { coalesceResponse } from '../../src/api/coalesce.js';

/** Counts the writes the socket hands to the operating system (net.Socket's `_write` and `_writev`). */
function countWrites(socket: Socket): { count: () => number } {
  let n = 0;
  const s = socket as Socket & { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
  const write = s._write.bind(s);
  const writev = s._writev.bind(s);
  s._write = (...a: unknown[]) => {
    n += 1;
    write(...a);
  };
  s._writev = (...a: unknown[]) => {
    n += 1;
    writev(...a);
  };
  return { count: () => n };
}

/** Turns of the event loop: each resolves after one more check phase. */
const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i += 1) await new Promise((r) => setImmediate(r));
};

/** Answers like the SDK's adapter: headers flushed at once, then one event and the end, `after` turns later. */
function sse(res: ServerResponse, after: number, ended: Promise<void> = Promise.resolve()): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.flushHeaders();
  void turns(after)
    .then(() => res.write('event: message\ndata: {"ok":true}\n\n'))
    .then(() => ended)
    .then(() => res.end());
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => server?.close(r));
  server = undefined;
});

async function serve(handler: (res: ServerResponse, writes: { count: () => number }) => void): Promise<string> {
  server = createServer((_req, res) => {
    coalesceResponse(res);
    handler(res, countWrites(res.socket as Socket));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('coalesceResponse', () => {
  it('sends the headers, the event and the end of a quick answer in one write', async () => {
    let writes: { count: () => number } | undefined;
    let finished!: () => void;
    const done = new Promise<void>((r) => (finished = r));
    const url = await serve((res, w) => {
      writes = w;
      res.once('finish', finished);
      sse(res, 1);
    });
    const answer = await fetch(url);
    expect(answer.headers.get('content-type')).toBe('text/event-stream');
    expect(await answer.text()).toBe('event: message\ndata: {"ok":true}\n\n');
    await done;
    expect(writes!.count()).toBe(1);
  });

  it('does the same for an answer ended at once', async () => {
    let writes: { count: () => number } | undefined;
    const url = await serve((res, w) => {
      writes = w;
      res.writeHead(202).end();
    });
    expect((await fetch(url)).status).toBe(202);
    expect(writes!.count()).toBe(1);
  });

  it('lets a slower answer send its headers before its end, and everything arrives', async () => {
    let release!: () => void;
    const ended = new Promise<void>((r) => (release = r));
    const url = await serve((res) => sse(res, 5, ended));
    // The response (its headers) arrives while the server still holds the end back.
    const answer = await fetch(url);
    expect(answer.status).toBe(200);
    release();
    expect(await answer.text()).toBe('event: message\ndata: {"ok":true}\n\n');
  });

  it('never holds the headers of an answer that does not end', async () => {
    const url = await serve((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
    });
    const controller = new AbortController();
    const answer = await fetch(url, { signal: controller.signal });
    expect(answer.headers.get('content-type')).toBe('text/event-stream');
    controller.abort();
  });
});
