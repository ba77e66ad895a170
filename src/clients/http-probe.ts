/**
 * HTTP(S) probe for `check_http` and the monitor's http.down condition. A probe returns a typed
 * result whatever happens: a failed check is a value, never a throw.
 */
import { readFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpProbeOptions {
  url: string;
  /** Expected status; default any 2xx. */
  expectStatus?: number;
  /** A substring the body must contain. */
  bodyMatch?: string;
  timeoutMs: number;
  tls?: { insecure?: boolean; caFile?: string };
  signal?: AbortSignal;
  /** Monotonic clock in ms; injectable for tests. */
  now?: () => number;
}

/** Why a probe failed, as a code callers branch on (`vigil check` picks its remedy by it). */
export const HTTP_PROBE_FAILURES = [
  'invalid_url',
  'ca_file',
  'refused',
  'unreachable',
  'dns',
  'tls',
  'timeout',
  'aborted',
  'status',
  'body',
  'other',
] as const;
export type HttpProbeFailure = (typeof HTTP_PROBE_FAILURES)[number];

export interface HttpProbeResult {
  ok: boolean;
  url: string;
  status?: number;
  durationMs: number;
  /** Why the check failed, in words. */
  error?: string;
  /** Why the check failed, as a code; the first reason when there are several (status before body). */
  failure?: HttpProbeFailure;
  /** Present when `bodyMatch` was given and a body was read. */
  bodyMatched?: boolean;
}

/** Only this much of a body is searched for `bodyMatch`; a health page is small. */
export const MAX_BODY_BYTES = 256 * 1024;

type Failed = { failure: HttpProbeFailure; error: string };

function describeError(err: NodeJS.ErrnoException, url: URL, timeoutMs: number, aborted: boolean): Failed {
  if (aborted) return { failure: 'aborted', error: 'aborted' };
  if (err.name === 'TimeoutError' || err.code === 'ETIMEDOUT') {
    return { failure: 'timeout', error: `no response within ${timeoutMs} ms` };
  }
  const where = `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return { failure: 'refused', error: `connection refused by ${where}` };
    case 'ECONNRESET':
      return { failure: 'refused', error: `connection reset by ${where}` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { failure: 'dns', error: `cannot resolve ${url.hostname}` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { failure: 'unreachable', error: `${where} is unreachable` };
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return {
        failure: 'tls',
        error: `TLS certificate of ${where} not trusted (${err.code}): set tls.caFile, or tls.insecure for a lab`,
      };
  }
  return { failure: 'other', error: err.message || String(err.code) };
}

/** The first MAX_BODY_BYTES of a body; `cut` when there was more (the rest is never read). */
function readBody(res: IncomingMessage): Promise<{ text: string; cut: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => resolve({ text: Buffer.concat(chunks).toString('utf8'), cut: size > MAX_BODY_BYTES });
    res.on('data', (chunk: Buffer) => {
      if (size > MAX_BODY_BYTES) return;
      chunks.push(chunk.subarray(0, MAX_BODY_BYTES - size));
      size += chunk.length;
      if (size > MAX_BODY_BYTES) res.destroy();
    });
    res.on('end', done);
    res.on('close', done);
    res.on('error', reject);
  });
}

/** Probes one URL. Never throws: every failure is reported in the result's `error`. */
export async function probeHttp(opts: HttpProbeOptions): Promise<HttpProbeResult> {
  const now = opts.now ?? (() => performance.now());
  const started = now();
  const done = (r: Omit<HttpProbeResult, 'url' | 'durationMs'>): HttpProbeResult => ({
    url: opts.url,
    durationMs: Math.max(0, Math.round(now() - started)),
    ...r,
  });
  let url: URL;
  try {
    url = new URL(opts.url);
  } catch {
    return done({ ok: false, failure: 'invalid_url', error: `invalid URL ${JSON.stringify(opts.url)}` });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return done({
      ok: false,
      failure: 'invalid_url',
      error: `unsupported URL scheme ${url.protocol} (http or https only)`,
    });
  }
  let ca: Buffer | undefined;
  if (opts.tls?.caFile) {
    try {
      ca = await readFile(opts.tls.caFile);
    } catch (err) {
      return done({
        ok: false,
        failure: 'ca_file',
        error: `cannot read tls.caFile ${opts.tls.caFile}: ${(err as Error).message}`,
      });
    }
  }
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  try {
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const common = { method: 'GET', signal, headers: { 'user-agent': 'vigil-http-probe', accept: '*/*' } };
      const req =
        url.protocol === 'https:'
          ? httpsRequest(url, { ...common, rejectUnauthorized: !opts.tls?.insecure, ...(ca ? { ca } : {}) }, resolve)
          : httpRequest(url, common, resolve);
      req.on('error', reject);
      req.end();
    });
    const status = res.statusCode ?? 0;
    const statusOk = opts.expectStatus === undefined ? status >= 200 && status < 300 : status === opts.expectStatus;
    let bodyMatched: boolean | undefined;
    let bodyCut = false;
    if (opts.bodyMatch !== undefined) {
      const body = await readBody(res);
      // A deadline that cut the body short is a timeout, not a mismatch.
      if (signal.aborted) throw signal.reason;
      bodyMatched = body.text.includes(opts.bodyMatch);
      bodyCut = body.cut;
    } else {
      // The status is all this check needs: close the connection rather than drain a body of any size.
      res.destroy();
    }
    const errors: string[] = [];
    if (!statusOk) errors.push(`status ${status}, expected ${opts.expectStatus ?? '2xx'}`);
    if (bodyMatched === false) {
      const where = bodyCut
        ? ` in its first ${MAX_BODY_BYTES / 1024} KiB (the body is longer; only that much is read)`
        : '';
      errors.push(`body does not contain ${JSON.stringify(opts.bodyMatch)}${where}`);
    }
    const failure: HttpProbeFailure | undefined = !statusOk ? 'status' : bodyMatched === false ? 'body' : undefined;
    return done({
      ok: errors.length === 0,
      status,
      ...(bodyMatched !== undefined ? { bodyMatched } : {}),
      ...(errors.length ? { error: errors.join('; ') } : {}),
      ...(failure ? { failure } : {}),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const timedOut = timeout.aborted && !opts.signal?.aborted;
    const failed: Failed = timedOut
      ? { failure: 'timeout', error: `no response within ${opts.timeoutMs} ms` }
      : describeError(e, url, opts.timeoutMs, opts.signal?.aborted ?? false);
    return done({ ok: false, ...failed });
  }
}

/** The probe as an injectable client (`ctx.deps.clients.http`). */
export interface HttpProber {
  probe(opts: HttpProbeOptions): Promise<HttpProbeResult>;
}

/** Creates the injectable HTTP prober. */
export function createHttpProber(): HttpProber {
  return { probe: probeHttp };
}
