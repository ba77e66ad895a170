/**
 * HTTP plumbing of the Proxmox API simulator: the error type, the reply writers that follow
 * pve-http-server (`{data: ...}` envelopes, reason phrase = first line of the message, JSON
 * `message` on errors), request-body parsing (JSON or form) and a small route table.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A failed API call as pveproxy reports it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly opts: { emptyBody?: boolean; errors?: Record<string, string> } = {},
  ) {
    super(message);
  }
}

/** Parsed request handed to a route handler. */
export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  /** Query string and body parameters merged (pveproxy accepts both). */
  args: Record<string, string>;
  /** Raw JSON body when one was sent (the control API takes typed values). */
  json: unknown;
}

/** A successful reply: the `data` value plus optional top-level extras such as `total`. */
export interface ApiReply {
  data: unknown;
  total?: number;
  status?: number;
}

export interface Route<C> {
  method: string;
  pattern: RegExp;
  handler: (req: ApiRequest, ctx: C) => ApiReply | Promise<ApiReply>;
}

const COMMON_HEADERS = {
  'content-type': 'application/json;charset=UTF-8',
  server: 'pve-api-daemon/3.0',
  'cache-control': 'max-age=0',
  pragma: 'no-cache',
};

/** Writes `{data, ...extras}` with status 200. */
export function sendData(res: ServerResponse, reply: ApiReply): void {
  const body: Record<string, unknown> = { data: reply.data ?? null };
  if (reply.total !== undefined) body.total = reply.total;
  res.writeHead(reply.status ?? 200, 'OK', COMMON_HEADERS);
  res.end(JSON.stringify(body));
}

/**
 * Writes an error: reason phrase = first line of the message; JSON body `{data:null, message}`
 * (pve-http-server ≥ 5.2.0) unless the real server sends none (401s, proxy errors).
 * Errors close keep-alive, as pveproxy does for every status ≥ 400.
 */
export function sendError(res: ServerResponse, err: ApiError): void {
  const reason = err.message.split('\n')[0]!.replace(/[^\t\x20-\x7e]/g, '?');
  const headers = { ...COMMON_HEADERS, connection: 'close' };
  if (err.opts.emptyBody) {
    res.writeHead(err.status, reason, { ...headers, 'content-length': '0' });
    res.end();
    return;
  }
  const body: Record<string, unknown> = {
    data: null,
    message: err.message.endsWith('\n') ? err.message : `${err.message}\n`,
  };
  if (err.opts.errors) body.errors = err.opts.errors;
  res.writeHead(err.status, reason, headers);
  res.end(JSON.stringify(body));
}

const MAX_BODY = 512 * 1024;

/** Reads and parses the request body (JSON or form); 400 on garbage, 413 past pveproxy's 512 KiB. */
export async function readBody(req: IncomingMessage): Promise<{ args: Record<string, string>; json: unknown }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, 'request entity too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return { args: {}, json: undefined };
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('json')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiError(400, 'invalid JSON in request body');
    }
    const args: Record<string, string> = {};
    if (json && typeof json === 'object' && !Array.isArray(json)) {
      for (const [k, v] of Object.entries(json))
        if (v !== null && v !== undefined) args[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    return { args, json };
  }
  return { args: Object.fromEntries(new URLSearchParams(text)), json: undefined };
}

/** Finds the route for a method and path; `undefined` when none matches. */
export function matchRoute<C>(
  routes: Route<C>[],
  method: string,
  path: string,
): { route: Route<C>; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(path);
    if (m) {
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.groups ?? {})) params[k] = decodeURIComponent(v);
      return { route, params };
    }
  }
  return undefined;
}

/** Helper for route patterns: `path('/nodes/:node/status')` → anchored regex with named groups. */
export function path(p: string): RegExp {
  return new RegExp(`^${p.replace(/:([a-z]+)/g, '(?<$1>[^/]+)')}/?$`);
}
