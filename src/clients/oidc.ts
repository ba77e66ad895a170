/**
 * The homelab's OpenID provider as vigil sees it: its discovery document, its signing keys, and
 * the verification of its JWT access tokens (RFC 9068) with jose — signed by a key of the JWKS the
 * discovery document names, the configured issuer and audience, within exp/nbf, with a subject.
 * vigil is only ever the resource server: it never issues, refreshes or forwards a token.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { OAuthConfig } from '../config/types.js';
import { isSecureUrl } from '../util/secure-url.js';

/** Clock difference tolerated between vigil and the identity provider, in seconds. */
const CLOCK_TOLERANCE_SECONDS = 30;
const DISCOVERY_TIMEOUT_MS = 10_000;
const JWKS_TIMEOUT_MS = 5_000;
/** The longest subject or client id that reaches the audit log. */
const MAX_ID_LENGTH = 200;

export type Verification =
  | { ok: true; claims: JWTPayload; subject: string; clientId?: string }
  /** The token is not one vigil accepts: the client should get a new one (401). */
  | { ok: false; kind: 'invalid_token'; description: string }
  /** vigil cannot check tokens right now (the identity provider is unreachable): retry later (503). */
  | { ok: false; kind: 'unavailable'; description: string };

export interface VerifierDeps {
  config: OAuthConfig;
  /** The clock exp and nbf are compared with (the core's clock, so tests can move it). */
  now: () => number;
}

export interface AccessTokenVerifier {
  verify(token: string): Promise<Verification>;
}

/** https, or http on loopback: the same rule as for server.oauth.issuer. */
function secureUrl(value: unknown): value is string {
  return typeof value === 'string' && URL.canParse(value) && isSecureUrl(new URL(value));
}

/** An identifier fit for the audit log: printable, bounded. Empty when the claim is absent or not a string. */
function printable(value: unknown): string {
  if (typeof value !== 'string') return '';
  // eslint-disable-next-line no-control-regex -- control characters are what is being removed
  return value.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, MAX_ID_LENGTH);
}

type RemoteKeys = ReturnType<typeof createRemoteJWKSet>;

/** GETs a JSON document; a network failure names the URL and its cause (fetch alone says only "fetch failed"). */
async function getJson(url: string, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
    const why = cause instanceof Error ? ((cause as { code?: string }).code ?? cause.message) : String(cause);
    throw new Error(`GET ${url} failed: ${why}`);
  }
}

/** Where OpenID Connect Discovery 1.0 puts the provider's metadata for an issuer. */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/**
 * Reads the issuer's discovery document and returns its `jwks_uri`. Throws, saying what to fix,
 * when it is unreachable, names another issuer (OIDC requires an exact match) or has no https JWKS.
 */
export async function discoverJwksUri(issuer: string): Promise<string> {
  const url = discoveryUrl(issuer);
  const res = await getJson(url, DISCOVERY_TIMEOUT_MS);
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}; is server.oauth.issuer right?`);
  const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
  if (doc.issuer !== issuer) {
    throw new Error(
      `${url} names the issuer ${JSON.stringify(doc.issuer)}, not server.oauth.issuer "${issuer}"; copy its value into the config`,
    );
  }
  if (!secureUrl(doc.jwks_uri)) throw new Error(`${url} has no https jwks_uri (got ${JSON.stringify(doc.jwks_uri)})`);
  return doc.jwks_uri;
}

/** For `vigil check`: the JWKS URL and how many signing keys it holds right now. */
export async function probeIssuer(issuer: string): Promise<{ jwksUri: string; keys: number }> {
  const jwksUri = await discoverJwksUri(issuer);
  const res = await getJson(jwksUri, JWKS_TIMEOUT_MS);
  if (!res.ok) throw new Error(`${jwksUri} answered HTTP ${res.status}`);
  const body = (await res.json()) as { keys?: unknown };
  if (!Array.isArray(body.keys)) throw new Error(`${jwksUri} is not a JWKS (no "keys" list)`);
  return { jwksUri, keys: body.keys.length };
}

/**
 * Builds the verifier for one `server.oauth`. Discovery runs on the first token, not at start, so an
 * identity provider that is down when vigil starts only delays OAuth callers; a failed discovery is
 * retried on the next token. The JWKS is cached for `jwksCacheSeconds` and refetched at once (with
 * jose's cooldown) when a token names a key it does not hold, which is how key rotation shows.
 */
export function createAccessTokenVerifier(deps: VerifierDeps): AccessTokenVerifier {
  const { config } = deps;
  const audience = config.audience ?? config.resource;
  let keys: Promise<RemoteKeys> | undefined;

  const discover = async (): Promise<RemoteKeys> =>
    createRemoteJWKSet(new URL(await discoverJwksUri(config.issuer)), {
      cacheMaxAge: config.jwksCacheSeconds * 1000,
      timeoutDuration: JWKS_TIMEOUT_MS,
    });

  const remoteKeys = (): Promise<RemoteKeys> => {
    const pending = (keys ??= discover());
    pending.catch(() => {
      if (keys === pending) keys = undefined;
    });
    return pending;
  };

  const invalid = (description: string): Verification => ({ ok: false, kind: 'invalid_token', description });

  return {
    async verify(token) {
      let jwks: RemoteKeys;
      try {
        jwks = await remoteKeys();
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        return { ok: false, kind: 'unavailable', description: `cannot reach the identity provider: ${why}` };
      }
      try {
        const { payload } = await jwtVerify(token, jwks, {
          issuer: config.issuer,
          audience,
          requiredClaims: ['sub', 'exp'],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          currentDate: new Date(deps.now()),
        });
        const subject = printable(payload.sub);
        if (subject === '') return invalid('the access token has no usable sub claim');
        const clientId = printable(payload.client_id) || printable(payload.azp);
        return { ok: true, claims: payload, subject, ...(clientId ? { clientId } : {}) };
      } catch (err) {
        return describeFailure(err, { issuer: config.issuer, audience, resource: config.resource });
      }
    },
  };
}

/** Turns a jose failure into what the client is told; only an unreachable JWKS is not the token's fault. */
function describeFailure(err: unknown, expected: { issuer: string; audience: string; resource: string }): Verification {
  const invalid = (description: string): Verification => ({ ok: false, kind: 'invalid_token', description });
  if (err instanceof errors.JWTExpired)
    return invalid(`the access token expired; get a new one from ${expected.issuer}`);
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') {
      return invalid(
        `the access token is not for this server: its aud must include "${expected.audience}" (request it with resource=${expected.resource})`,
      );
    }
    if (err.claim === 'iss') return invalid(`the access token was not issued by ${expected.issuer}`);
    if (err.claim === 'nbf') return invalid('the access token is not valid yet (nbf is in the future)');
    return invalid(`the access token's ${err.claim} claim is ${err.reason === 'missing' ? 'missing' : 'invalid'}`);
  }
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || err instanceof TypeError) {
    const why = err instanceof Error ? err.message : String(err);
    return { ok: false, kind: 'unavailable', description: `cannot fetch the identity provider's signing keys: ${why}` };
  }
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWSSignatureVerificationFailed) {
    return invalid(`the access token is not signed by a key of ${expected.issuer}`);
  }
  return invalid(`the access token is not a JWT signed by ${expected.issuer}`);
}
