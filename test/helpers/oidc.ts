/**
 * A real OpenID provider (the `oidc-provider` package) on 127.0.0.1 in the test process, with its
 * login and consent steps answered over HTTP, and a public client that runs authorization code +
 * PKCE against it. Access tokens for registered resources are JWTs (RFC 8707 resource indicators).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { errors } from 'oidc-provider';
import { exportJWK, generateKeyPair } from 'jose';

export const CLIENT_ID = 'mcp-test-client';
export const REDIRECT_URI = 'http://127.0.0.1/callback';

export interface ResourceServer {
  /** The RFC 8707 resource indicator; also the token's aud. */
  resource: string;
  /** Scopes the provider grants for it, space-separated. */
  scope: string;
}

export interface TestOidc {
  issuer: string;
  /** Plays the user from an authorization URL (login, consent); returns the redirect to REDIRECT_URI, code included. */
  authorize(url: URL, user: string): Promise<URL>;
  /** Runs authorization code + PKCE as `user` for `scope` at `resource`; returns the access token. */
  accessToken(options: { user: string; scope: string; resource: string }): Promise<string>;
  close(): Promise<void>;
}

/** Collects cookies from responses and sends them back, as a browser would for this one host. */
function cookieJar() {
  const cookies = new Map<string, string>();
  return {
    header: () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    take(res: Response) {
      for (const line of res.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq).trim();
        const value = pair.slice(eq + 1).trim();
        if (value === '') cookies.delete(name);
        else cookies.set(name, value);
      }
    },
  };
}

function base64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/** Starts the provider; `resources` are the resource servers it issues JWT access tokens for. */
export async function startTestOidc(resources: ResourceServer[]): Promise<TestOidc> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'test-key', use: 'sig', alg: 'RS256' };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        token_endpoint_auth_method: 'none',
        application_type: 'native',
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    ttl: { AccessToken: 300, AuthorizationCode: 60, Grant: 600, IdToken: 300, Interaction: 600, Session: 600 },
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf ?? resources[0]!.resource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator) => {
          const found = resources.find((r) => r.resource === indicator);
          if (!found) throw new errors.InvalidTarget();
          return { scope: found.scope, audience: found.resource, accessTokenFormat: 'jwt', accessTokenTTL: 300 };
        },
      },
    },
  });
  const callback = provider.callback();

  /** The login and consent pages a user would click through, answered without a browser. */
  const interaction = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const details = await provider.interactionDetails(req, res);
    const url = new URL(req.url ?? '/', issuer);
    if (req.method === 'GET') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ uid: details.uid, prompt: details.prompt.name }));
      return;
    }
    if (details.prompt.name === 'login') {
      const accountId = url.searchParams.get('login') ?? '';
      await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
      return;
    }
    const { missingOIDCScope, missingResourceScopes } = details.prompt.details as {
      missingOIDCScope?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    const grant = new provider.Grant({
      accountId: details.session!.accountId,
      clientId: details.params.client_id as string,
    });
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  };

  server.on('request', (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      interaction(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(err instanceof Error ? err.message : String(err));
      });
      return;
    }
    void callback(req, res);
  });

  /** Plays the user at the provider: follows its redirects from `url`, logging in and consenting; returns the redirect back to the client. */
  const authorize = async (url: URL, user: string): Promise<URL> => {
    const jar = cookieJar();
    let next = url.href;
    for (let hop = 0; hop < 12; hop++) {
      const target = new URL(next, issuer);
      if (target.href.startsWith(REDIRECT_URI)) return target;
      const isInteraction = target.pathname.startsWith('/interaction/');
      if (isInteraction) {
        const page = await fetch(target, { headers: { cookie: jar.header() } });
        const { prompt } = (await page.json()) as { prompt: string };
        if (prompt === 'login') target.searchParams.set('login', user);
      }
      const res = await fetch(target, {
        method: isInteraction ? 'POST' : 'GET',
        headers: { cookie: jar.header() },
        redirect: 'manual',
      });
      jar.take(res);
      const location = res.headers.get('location');
      if (!location)
        throw new Error(`${target.pathname} answered ${res.status} without a redirect: ${await res.text()}`);
      next = location;
    }
    throw new Error('too many redirects');
  };

  return {
    issuer,
    authorize,
    async accessToken({ user, scope, resource }) {
      const verifier = base64url(randomBytes(32));
      const challenge = base64url(createHash('sha256').update(verifier).digest());
      const state = base64url(randomBytes(8));
      const url = new URL('/auth', issuer);
      for (const [k, v] of Object.entries({
        client_id: CLIENT_ID,
        response_type: 'code',
        redirect_uri: REDIRECT_URI,
        scope,
        resource,
        state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      })) {
        url.searchParams.set(k, v);
      }
      const back = await authorize(url, user);
      if (back.searchParams.get('state') !== state) throw new Error(`state mismatch in ${back.href}`);
      const code = back.searchParams.get('code');
      if (!code) throw new Error(`no code: ${back.searchParams.get('error_description') ?? back.href}`);
      const res = await fetch(new URL('/token', issuer), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT_URI,
          client_id: CLIENT_ID,
          code_verifier: verifier,
          resource,
        }),
      });
      const body = (await res.json()) as { access_token?: string; error_description?: string };
      if (!body.access_token) throw new Error(`token endpoint: ${body.error_description ?? res.status}`);
      return body.access_token;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
