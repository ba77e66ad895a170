// Pins lazyExpressApp over real HTTP: nothing loads before the first request, a failed load is
// answered 500 (JSON, no stack) and tried again by the next request, and a loaded app serves every later one.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lazyExpressApp, type ExpressLoader } from '../../src/api/app.js';
import type { ExpressAppDeps } from '../../src/api/express-app.js';
import { silentLogger } from '../helpers/vigil.js';

describe('lazyExpressApp', () => {
  let server: Server;
  let url: string;
  let loads = 0;
  let failNext = false;
  let built = 0;

  beforeAll(async () => {
    const loader: ExpressLoader = async () => {
      loads += 1;
      if (failNext) {
        failNext = false;
        throw new Error('module missing');
      }
      return {
        createExpressApp: () => {
          built += 1;
          return (req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`routes for ${req.url}`);
        },
      };
    };
    // The loader above never reads the deps: only the loading and the answers are under test here.
    const routes = lazyExpressApp({} as ExpressAppDeps, silentLogger, loader);
    server = createServer(routes.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('loads nothing before a request, answers 500 for a failed load and loads again for the next request', async () => {
    expect(loads).toBe(0);
    failNext = true;
    const failed = await fetch(`${url}/healthz`);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: 'internal error' });
    const answers = await Promise.all([fetch(`${url}/a`), fetch(`${url}/b`), fetch(`${url}/c`)]);
    expect(await Promise.all(answers.map((a) => a.text()))).toEqual([
      'routes for /a',
      'routes for /b',
      'routes for /c',
    ]);
    expect([loads, built]).toEqual([2, 1]);
  });
});
