/**
 * The JSON body of an /mcp request, read without express: /mcp is served before express
 * (src/api/app.ts), so it reads its own body with the rules `express.json({ limit: '1mb' })` had.
 * A plain `application/json` body (UTF-8, no content coding: what every MCP client sends) is read
 * here directly; anything else (another charset, gzip, a `+json` type) goes through body-parser as
 * before, so its answers stay the same.
 */
import type { IncomingMessage } from 'node:http';
import { loadOnce } from '../util/load-once.js';

/** What the request's body became: the parsed JSON (undefined without one) or an HTTP error. */
export type BodyRead = { ok: true; body: unknown } | { ok: false; error: BodyError };

/** An error as body-parser raises it: `type` tells a malformed body from a too large one. */
export interface BodyError {
  status: number;
  type: string;
  message: string;
}

const bodyError = (status: number, type: string, message: string): BodyError => ({ status, type, message });

/** Whether body-parser would read this body as JSON with no conversion: the one case read here. */
function plainJson(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  if (type === undefined) return false;
  const semi = type.indexOf(';');
  const media = (semi === -1 ? type : type.slice(0, semi)).trim().toLowerCase();
  if (media !== 'application/json') return false;
  if (semi !== -1 && !/^\s*charset\s*=\s*"?utf-8"?\s*$/i.test(type.slice(semi + 1))) return false;
  const coding = req.headers['content-encoding'];
  return coding === undefined || coding.toLowerCase() === 'identity';
}

/** body-parser's strict JSON: an object or an array, and an empty body is `{}`. */
function parseStrict(text: string): BodyRead {
  const first = /\S/.exec(text);
  if (!first) return { ok: true, body: {} };
  if (first[0] !== '{' && first[0] !== '[') {
    return { ok: false, error: bodyError(400, 'entity.parse.failed', 'body is not a JSON object or array') };
  }
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: bodyError(400, 'entity.parse.failed', (err as Error).message) };
  }
}

/** Builds the reader for bodies up to `limit` bytes. */
export function createBodyReader(limit: number): (req: IncomingMessage) => Promise<BodyRead> {
  // express is loaded for the first such body only: every MCP client sends plain JSON.
  const parser = loadOnce(() => import('express').then(({ default: express }) => express.json({ limit })));

  /** The other content types and codings, through body-parser itself. */
  const viaBodyParser = async (req: IncomingMessage): Promise<BodyRead> => {
    let fallback: Awaited<ReturnType<typeof parser.get>>;
    try {
      fallback = await parser.get();
    } catch (err) {
      return { ok: false, error: bodyError(500, 'parser.unavailable', (err as Error).message) };
    }
    return new Promise((resolve) => {
      const withBody = req as IncomingMessage & { body?: unknown };
      // body-parser calls next(err) for a bad body, and reads nothing when the type is not JSON.
      const next = (err?: unknown) => {
        if (err === undefined || err === null) {
          resolve({ ok: true, body: withBody.body });
          return;
        }
        const e = err as { status?: number; type?: string; message?: string };
        resolve({ ok: false, error: bodyError(e.status ?? 500, e.type ?? 'unknown', e.message ?? String(err)) });
      };
      fallback(withBody as never, {} as never, next);
    });
  };

  return (req) => {
    if (!plainJson(req)) return viaBodyParser(req);
    // No body at all (no length, no chunked coding): body-parser leaves it undefined.
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
      return Promise.resolve({ ok: true, body: undefined });
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      return Promise.resolve({ ok: false, error: bodyError(413, 'entity.too.large', 'request entity too large') });
    }
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          req.off('data', onData);
          req.resume();
          resolve({ ok: false, error: bodyError(413, 'entity.too.large', 'request entity too large') });
          return;
        }
        chunks.push(chunk);
      };
      req.on('data', onData);
      req.once('end', () => {
        if (size > limit) return;
        const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
        resolve(parseStrict(text));
      });
      const aborted = () => resolve({ ok: false, error: bodyError(400, 'request.aborted', 'request aborted') });
      // A client that hangs up mid-body ends the read (a resolved promise ignores a later close).
      req.once('error', aborted);
      req.once('close', aborted);
    });
  };
}
