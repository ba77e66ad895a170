/**
 * The Proxmox VE API simulator: an HTTPS server on 127.0.0.1 serving `/api2/json/...` with
 * API-token auth, plus the lab control API under `/_lab/`. A test double that follows
 * the real API (samples in test/fixtures/proxmox); it never stands in where a real peer could run.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LabState } from '../state.js';
import type { LabCertificate } from '../cert.js';
import { apiRoutes, parseTokenHeader, type ApiContext, type LabToken } from './api.js';
import { controlRoutes } from './control.js';
import { ApiError, matchRoute, readBody, sendData, sendError } from './http.js';

export interface ProxmoxSimulatorOptions {
  state: LabState;
  cert: LabCertificate;
  tokens: LabToken[];
  /**
   * Delay before every 401. Real pveproxy waits 3 s ("always delay unauthorized calls by
   * 3 seconds"); the lab defaults to 0 so tests stay fast — set 3000 for a faithful demo.
   */
  authDelayMs?: number;
}

export interface ProxmoxSimulator {
  server: Server;
  port: number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const API_PREFIX = '/api2/json';

function sendControl(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  state: LabState,
  pathname: string,
  query: URLSearchParams,
): Promise<void> {
  if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
    sendControl(res, 403, { error: 'the lab control API answers loopback peers only' });
    return;
  }
  try {
    const body = await readBody(req);
    const hit = matchRoute(controlRoutes, req.method ?? 'GET', pathname);
    if (!hit) throw new ApiError(404, `no lab control route ${req.method} ${pathname}`);
    const reply = await hit.route.handler(
      {
        method: req.method ?? 'GET',
        path: pathname,
        params: hit.params,
        args: { ...Object.fromEntries(query), ...body.args },
        json: body.json,
      },
      state,
    );
    sendControl(res, 200, reply.data);
  } catch (err) {
    const e = err instanceof ApiError ? err : new ApiError(500, err instanceof Error ? err.message : String(err));
    sendControl(res, e.status, { error: e.message });
  }
}

async function handleApi(
  req: IncomingMessage,
  res: ServerResponse,
  o: ProxmoxSimulatorOptions,
  apiPath: string,
  query: URLSearchParams,
): Promise<void> {
  const method = req.method ?? 'GET';
  const auth = req.headers.authorization;
  const parsed = parseTokenHeader(auth);
  const hasCookie = /PVEAuthCookie=/.test(`${req.headers.cookie ?? ''} ${auth ?? ''}`);
  const token = parsed && o.tokens.find((t) => t.id === parsed.id && t.secret === parsed.secret);
  if (!token) {
    if (o.authDelayMs) await new Promise((r) => setTimeout(r, o.authDelayMs));
    req.resume();
    sendError(
      res,
      new ApiError(401, parsed || hasCookie ? 'Authentication failed!' : 'No ticket', { emptyBody: true }),
    );
    return;
  }
  try {
    const body = await readBody(req);
    const hit = matchRoute(apiRoutes, method, apiPath);
    if (!hit) throw new ApiError(501, `Method '${method} ${apiPath}' not implemented`);
    const ctx: ApiContext = { state: o.state, token, fingerprint: o.cert.fingerprint };
    const reply = await hit.route.handler(
      {
        method,
        path: apiPath,
        params: hit.params,
        args: { ...Object.fromEntries(query), ...body.args },
        json: body.json,
      },
      ctx,
    );
    sendData(res, reply);
  } catch (err) {
    sendError(res, err instanceof ApiError ? err : new ApiError(500, err instanceof Error ? err.message : String(err)));
  }
}

/** Starts the simulator on 127.0.0.1 with an ephemeral port. */
export async function startProxmoxSimulator(o: ProxmoxSimulatorOptions): Promise<ProxmoxSimulator> {
  const server = createServer({ cert: o.cert.certPem, key: o.cert.keyPem }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const pathname = url.pathname;
    const done = pathname.startsWith('/_lab/')
      ? handleControl(req, res, o.state, pathname, url.searchParams)
      : pathname === API_PREFIX || pathname.startsWith(`${API_PREFIX}/`)
        ? handleApi(req, res, o, pathname.slice(API_PREFIX.length) || '/', url.searchParams)
        : Promise.resolve(sendError(res, new ApiError(501, `Method '${req.method} ${pathname}' not implemented`)));
    done.catch((err: unknown) => {
      if (!res.headersSent) sendError(res, new ApiError(500, err instanceof Error ? err.message : String(err)));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
