/**
 * HTTPS transport to the Proxmox API: TLS trust (CA file, certificate pin, or insecure),
 * token header, deadlines via AbortSignal, retries for idempotent reads, and error mapping.
 */
import { Agent, request } from 'node:https';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { httpError, ProxmoxError, ProxmoxPinMismatchError } from './errors.js';

export interface ProxmoxTlsOptions {
  /** PEM file of the CA that issued the API certificate (e.g. /etc/pve/pve-root-ca.pem). */
  caFile?: string;
  /** SHA-256 fingerprint of the API certificate, `AA:BB:...` (as `GET /nodes` shows it). */
  fingerprint?: string;
  /** Accept any certificate. Logs a warning once. */
  insecure?: boolean;
}

export interface TransportOptions {
  /** `https://host:8006`; `/api2/json` is appended. */
  url: string;
  tokenId: string;
  tokenSecret: string;
  tls: ProxmoxTlsOptions;
  timeoutMs: number;
  logger: Logger;
  /** Retries for GETs on network errors and 5xx replies other than 500-with-message. Default 2. */
  retries?: number;
  /** First back-off in ms, doubled per retry. Default 200. */
  backoffMs?: number;
  /** Largest reply body read; a longer one is refused. Default MAX_REPLY_BYTES. */
  maxReplyBytes?: number;
}

/** Proxmox replies are JSON listings; even a large cluster's resources fit many times over. */
export const MAX_REPLY_BYTES = 32 * 1024 * 1024;

const mib = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;

export interface ApiResult {
  data: unknown;
  total?: number;
}

export type Params = Record<string, string | number | boolean | undefined>;

/** Normalises `aa:bb...` or `AABB...` to `AA:BB:...`. */
export function normalizeFingerprint(fp: string): string {
  const hex = fp.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  return hex.match(/.{2}/g)?.join(':') ?? '';
}

/** An agent that completes the TLS handshake and checks the pin before a request may use the socket. */
class PinnedAgent extends Agent {
  constructor(
    private readonly pin: string,
    private readonly timeoutMs: number,
  ) {
    super({ keepAlive: true, timeout: timeoutMs });
  }
  override createConnection(
    options: ConnectionOptions,
    cb?: (err: Error | null, s: Duplex) => void,
  ): Duplex | null | undefined {
    const socket: TLSSocket = connect({ ...options, rejectUnauthorized: false });
    // No request owns the socket until the pin is checked, so an aborted request cannot close it:
    // a handshake that never finishes must end here, or every poll leaves one more socket open.
    socket.setTimeout(this.timeoutMs, () =>
      socket.destroy(
        new ProxmoxError(`the Proxmox TLS handshake did not finish within ${this.timeoutMs} ms`, 'timeout'),
      ),
    );
    socket.once('secureConnect', () => {
      socket.setTimeout(0);
      const actual = socket.getPeerCertificate().fingerprint256 ?? '';
      if (actual.toUpperCase() === this.pin) return cb?.(null, socket);
      socket.destroy();
      cb?.(new ProxmoxPinMismatchError(actual, this.pin), socket);
    });
    socket.once('error', (err) => cb?.(err, socket));
    return undefined;
  }
}

function buildAgent(o: TransportOptions): Agent {
  if (o.tls.fingerprint) return new PinnedAgent(normalizeFingerprint(o.tls.fingerprint), o.timeoutMs);
  if (o.tls.caFile) return new Agent({ keepAlive: true, ca: readFileSync(o.tls.caFile) });
  if (o.tls.insecure) {
    o.logger.warn(
      { url: o.url },
      'proxmox.tls.insecure is set: the Proxmox API certificate is NOT verified; anyone on the path can read the API token. Pin proxmox.tls.fingerprint instead.',
    );
    return new Agent({ keepAlive: true, rejectUnauthorized: false });
  }
  return new Agent({ keepAlive: true });
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME|ALTNAME/;

/** Waits ms, or less when the signal aborts (the next attempt then reports the abort). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function encode(params: Params | undefined): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {}))
    if (v !== undefined) q.set(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  return q.toString();
}

/** Creates the transport; `request(method, path, params, signal)` resolves to the `{data, total}` envelope. */
export function createTransport(o: TransportOptions) {
  const base = new URL(o.url.replace(/\/+$/, '') + '/api2/json');
  const agent = buildAgent(o);
  const retries = o.retries ?? 2;
  const backoffMs = o.backoffMs ?? 200;
  const maxReply = o.maxReplyBytes ?? MAX_REPLY_BYTES;
  const auth = `PVEAPIToken=${o.tokenId}=${o.tokenSecret}`;
  const transient = new WeakSet<ProxmoxError>();

  function once(method: string, path: string, params: Params | undefined, signal: AbortSignal): Promise<ApiResult> {
    const query = encode(params);
    const isGet = method === 'GET';
    const fullPath = base.pathname + path + (isGet && query ? `?${query}` : '');
    const body = !isGet && query ? query : undefined;
    return new Promise<ApiResult>((resolve, reject) => {
      const req = request(
        {
          host: base.hostname.replace(/^\[|\]$/g, ''),
          port: base.port || 8006,
          method,
          path: fullPath,
          agent,
          signal,
          headers: {
            authorization: auth,
            accept: 'application/json',
            ...(body
              ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          // A reply over the cap is refused as soon as it passes it: never buffered whole.
          const tooLarge = () =>
            new ProxmoxError(
              `Proxmox's reply to ${method} ${path} is larger than ${mib(maxReply)}; refused (proxmox replies are capped at ${mib(maxReply)})`,
              'api',
              res.statusCode,
            );
          if (Number(res.headers['content-length'] ?? 0) > maxReply) return void req.destroy(tooLarge());
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > maxReply) req.destroy(tooLarge());
            else chunks.push(c);
          });
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8');
            let json: { data?: unknown; total?: number; message?: string; errors?: Record<string, string> } | undefined;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            if (status >= 200 && status < 300) {
              if (!json || !('data' in json))
                return reject(
                  new ProxmoxError(`Proxmox answered ${method} ${path} without a {data} envelope`, 'api', status),
                );
              return resolve({ data: json.data, total: json.total });
            }
            const reason = (json?.message ?? '').split('\n')[0] || res.statusMessage || '';
            const err = httpError(method, path, status, reason, json?.errors);
            // A 500 with a message is Proxmox saying "no" ("VM 100 not running"): retrying cannot help.
            if ((status === 500 && !json?.message) || (status >= 502 && status < 600)) transient.add(err);
            reject(err);
          });
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof ProxmoxError) return reject(err);
        if (signal.aborted)
          return reject(
            signal.reason instanceof ProxmoxError
              ? signal.reason
              : new ProxmoxError(`${method} ${path} was aborted`, 'aborted'),
          );
        if (TLS_CODES.test(err.code ?? '') || TLS_CODES.test(err.message)) {
          return reject(
            new ProxmoxError(
              `Proxmox TLS certificate not accepted (${err.code ?? err.message}): set proxmox.tls.fingerprint to the certificate's SHA-256 fingerprint or proxmox.tls.caFile to its CA`,
              'tls',
            ),
          );
        }
        reject(new ProxmoxError(`cannot reach Proxmox at ${base.origin}: ${err.code ?? err.message}`, 'network'));
      });
      if (body) req.write(body);
      req.end();
    });
  }

  function retryable(err: unknown): boolean {
    return err instanceof ProxmoxError && (err.kind === 'network' || transient.has(err));
  }

  async function call(method: string, path: string, params?: Params, signal?: AbortSignal): Promise<ApiResult> {
    const deadline = AbortSignal.timeout(o.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await once(method, path, params, combined);
        o.logger.debug({ method, path, ms: Date.now() - started }, 'proxmox request');
        return res;
      } catch (err) {
        if (deadline.aborted && !signal?.aborted)
          throw new ProxmoxError(`Proxmox did not answer ${method} ${path} within ${o.timeoutMs} ms`, 'timeout');
        if (signal?.aborted) throw new ProxmoxError(`${method} ${path} was aborted`, 'aborted');
        if (method !== 'GET' || attempt >= retries || !retryable(err)) {
          o.logger.debug({ method, path, err: (err as Error).message }, 'proxmox request failed');
          throw err;
        }
        await sleep(backoffMs * 2 ** attempt, combined);
      }
    }
  }

  return {
    call,
    /** Closes idle keep-alive sockets. */
    close: () => agent.destroy(),
  };
}

export type Transport = ReturnType<typeof createTransport>;
