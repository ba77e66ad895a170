/** A tiny HTTPS helper for talking to the lab in tests (trusts the lab CA; loopback only). */
import { request } from 'node:https';
import type { Lab } from '../../src/lab/index.js';

export interface LabReply {
  status: number;
  reason: string;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** Sends one request; `auth` is 'admin' (default), 'noprivs', 'none' or a raw Authorization header. */
export function labRequest(
  lab: Lab,
  method: string,
  path: string,
  opts: {
    auth?: 'admin' | 'noprivs' | 'none' | { header: string };
    body?: unknown;
    form?: Record<string, string>;
  } = {},
): Promise<LabReply> {
  const auth = opts.auth ?? 'admin';
  const headers: Record<string, string> = {};
  if (auth === 'admin') headers.authorization = `PVEAPIToken=${lab.token.id}=${lab.token.secret}`;
  else if (auth === 'noprivs') headers.authorization = `PVEAPIToken=${lab.noPrivToken.id}=${lab.noPrivToken.secret}`;
  else if (auth !== 'none') headers.authorization = auth.header;
  let payload: string | undefined;
  if (opts.body !== undefined) {
    payload = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  } else if (opts.form) {
    payload = new URLSearchParams(opts.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  const url = new URL(path, lab.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: url.port,
        path: url.pathname + url.search,
        method,
        headers,
        ca: lab.caPem,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '', headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** GET under /api2/json with the admin token. */
export const api = (lab: Lab, path: string) => labRequest(lab, 'GET', `/api2/json${path}`);

/** Polls `check` every few ms until it returns true (no wall-clock assertion: only gives up after `tries`). */
export async function eventually(check: () => boolean | Promise<boolean>, tries = 400, everyMs = 10): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error('condition not reached');
}
