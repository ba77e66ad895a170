// Pins OAuth resource-server mode on /mcp against a real OpenID provider (oidc-provider) doing authorization code + PKCE: metadata, 401/403 challenges, audience, expiry, scope, and the subject in the audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  discoverOAuthProtectedResourceMetadata,
  UnauthorizedError,
  type OAuthClientProvider,
} from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { Core } from '../../src/core.js';
import { silentLogger } from '../helpers/vigil.js';
import { CLIENT_ID, REDIRECT_URI, startTestOidc, type TestOidc } from '../helpers/oidc.js';
import { freePort, postInitialize, startOAuthVigil, type OAuthVigil } from '../helpers/oauth-vigil.js';
import { formatResult, runChecks } from '../../src/commands/check.js';

let oidc: TestOidc;
let vigil: OAuthVigil;
let core: Core;
let resource: string;
const OTHER_RESOURCE = 'http://127.0.0.1:9/other-api';
/** Added to the clock vigil checks exp against, to present a token after it expired. */
let clockSkewMs = 0;

beforeAll(async () => {
  const port = await freePort();
  resource = `http://127.0.0.1:${port}/mcp`;
  oidc = await startTestOidc([
    { resource, scope: 'vigil:assistant vigil:operator vigil:read' },
    { resource: OTHER_RESOURCE, scope: 'vigil:assistant' },
  ]);
  vigil = await startOAuthVigil({
    issuer: oidc.issuer,
    oauthLines: ['operatorScope: vigil:operator'],
    now: () => Date.now() + clockSkewMs,
    port,
  });
  core = vigil.core;
});

afterAll(async () => {
  await vigil?.close();
  await oidc?.close();
});

const postMcp = (token: string | undefined) => postInitialize(resource, token);

async function connect(token: string): Promise<Client> {
  const client = new Client({ name: 'oauth-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(resource), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

const metadataUrl = () => resource.replace('/mcp', '/.well-known/oauth-protected-resource/mcp');

describe('OAuth resource-server mode on /mcp', () => {
  it('serves the Protected Resource Metadata at the root and the /mcp-suffixed well-known paths', async () => {
    const expected = {
      resource,
      authorization_servers: [oidc.issuer],
      scopes_supported: ['vigil:assistant'],
      bearer_methods_supported: ['header'],
      resource_name: 'vigil',
    };
    for (const url of [metadataUrl(), resource.replace('/mcp', '/.well-known/oauth-protected-resource')]) {
      const res = await fetch(url);
      expect({ url, status: res.status, body: await res.json() }).toEqual({ url, status: 200, body: expected });
    }
    // The SDK's own discovery (what MCP clients run after a 401) reads it too.
    expect(await discoverOAuthProtectedResourceMetadata(new URL(resource))).toMatchObject(expected);
  });

  it('answers a request without a token with 401 and a challenge pointing at the metadata', async () => {
    const res = await postMcp(undefined);
    expect(res.status).toBe(401);
    expect(res.challenge).toBe(`Bearer scope="vigil:assistant", resource_metadata="${metadataUrl()}"`);
  });

  it('lets a real SDK client list and call tools with an access token from code + PKCE, auditing the subject once per call', async () => {
    const token = await oidc.accessToken({ user: 'alice', scope: 'openid vigil:assistant', resource });
    const client = await connect(token);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('get_monitor_status');
    const before = (await core.stores.audit.list({ limit: 1000 })).length;
    const result = await client.callTool({ name: 'get_monitor_status', arguments: {} });
    expect(result.isError).toBeFalsy();
    await client.callTool({ name: 'get_audit_log', arguments: { limit: 5 } });
    const rows = await core.stores.audit.list({ limit: 1000 });
    expect(rows.length - before).toBe(2);
    const mine = rows.filter((r) => r.callerId === `oauth:alice (client ${CLIENT_ID})`).map((r) => r.tool);
    expect(mine.sort()).toEqual(['get_audit_log', 'get_monitor_status']);
    expect(JSON.stringify(rows)).not.toContain(token);
    await client.close();
  });

  it("lets the SDK client's own OAuth flow (401 → metadata → discovery → code + PKCE → token) connect", async () => {
    // A pre-registered public client, as an operator sets one up in Authentik, Authelia or Keycloak.
    const state: { tokens?: OAuthTokens; verifier?: string; authorizationUrl?: URL } = {};
    const provider: OAuthClientProvider = {
      redirectUrl: REDIRECT_URI,
      clientMetadata: { client_name: 'sdk', redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none' },
      clientInformation: () => ({ client_id: CLIENT_ID }),
      tokens: () => state.tokens,
      saveTokens: (tokens) => {
        state.tokens = tokens;
      },
      redirectToAuthorization: (url) => {
        state.authorizationUrl = url;
      },
      saveCodeVerifier: (verifier) => {
        state.verifier = verifier;
      },
      codeVerifier: () => state.verifier ?? '',
    };
    const first = new StreamableHTTPClientTransport(new URL(resource), { authProvider: provider });
    await expect(new Client({ name: 'sdk-oauth', version: '1.0.0' }).connect(first)).rejects.toThrow(UnauthorizedError);
    const asked = state.authorizationUrl!;
    expect(asked.origin).toBe(oidc.issuer);
    expect(asked.searchParams.get('resource')).toBe(resource);
    expect(asked.searchParams.get('scope')).toBe('vigil:assistant');
    expect(asked.searchParams.get('code_challenge_method')).toBe('S256');
    const back = await oidc.authorize(asked, 'dave');
    await first.finishAuth(back.searchParams.get('code') ?? '');

    const client = new Client({ name: 'sdk-oauth', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(resource), { authProvider: provider }));
    const result = await client.callTool({ name: 'get_monitor_status', arguments: {} });
    expect(result.isError).toBeFalsy();
    const last = (await core.stores.audit.list({ limit: 1 }))[0];
    expect(last?.callerId).toBe(`oauth:dave (client ${CLIENT_ID})`);
    await client.close();
  });

  it('refuses a token issued for another resource with 401 invalid_token', async () => {
    const token = await oidc.accessToken({ user: 'alice', scope: 'openid vigil:assistant', resource: OTHER_RESOURCE });
    const res = await postMcp(token);
    expect(res.status).toBe(401);
    expect(res.challenge).toContain('error="invalid_token"');
    expect(res.challenge).toContain(`resource_metadata="${metadataUrl()}"`);
    expect(JSON.parse(res.body).error.message).toContain(`its aud must include "${resource}"`);
  });

  it('refuses an expired token with 401 invalid_token', async () => {
    const token = await oidc.accessToken({ user: 'alice', scope: 'openid vigil:assistant', resource });
    expect((await postMcp(token)).status).toBe(200);
    clockSkewMs = 10 * 60_000; // past the provider's 300 s lifetime and the 30 s tolerance
    try {
      const res = await postMcp(token);
      expect(res.status).toBe(401);
      expect(res.challenge).toContain('error="invalid_token"');
      expect(JSON.parse(res.body).error.message).toContain('expired');
    } finally {
      clockSkewMs = 0;
    }
  });

  it('answers a token without the assistant scope with 403 insufficient_scope', async () => {
    const token = await oidc.accessToken({ user: 'bob', scope: 'openid vigil:read', resource });
    const res = await postMcp(token);
    expect(res.status).toBe(403);
    expect(res.challenge).toContain('error="insufficient_scope"');
    expect(res.challenge).toContain('scope="vigil:assistant"');
    expect(res.challenge).toContain(`resource_metadata="${metadataUrl()}"`);
  });

  it('refuses a token that also marks an operator: a credential that can approve is never the assistant', async () => {
    const token = await oidc.accessToken({ user: 'carol', scope: 'openid vigil:assistant vigil:operator', resource });
    const res = await postMcp(token);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).error.message).toContain('marks an operator');
  });

  it('refuses a forged token (signed by another key) and a token that is not a JWT with 401', async () => {
    const token = await oidc.accessToken({ user: 'alice', scope: 'openid vigil:assistant', resource });
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    for (const bad of [forged, 'not-a-jwt-and-not-a-static-token']) {
      const res = await postMcp(bad);
      expect({ bad: bad.slice(0, 20), status: res.status }).toEqual({ bad: bad.slice(0, 20), status: 401 });
      expect(res.challenge).toContain('error="invalid_token"');
    }
  });

  it('is checked by vigil check: the discovery document and its signing keys, or a remedy naming the issuer key', async () => {
    const [ok] = await runChecks(core.config, { logger: silentLogger });
    expect(ok).toMatchObject({ kind: 'oauth', ok: true, detail: `1 signing key at ${oidc.issuer}/jwks` });
    const oauth = { ...core.config.server.oauth!, issuer: `${oidc.issuer}/realms/none` };
    const [bad] = await runChecks(
      { ...core.config, server: { ...core.config.server, oauth } },
      { logger: silentLogger },
    );
    expect(bad?.ok).toBe(false);
    expect(formatResult(bad!).join('\n')).toMatch(/answered HTTP 404[\s\S]*remedy: server\.oauth\.issuer must be/);
  });

  it('still accepts the static assistant token (the default) and still refuses the operator token', async () => {
    const client = await connect(vigil.assistantToken);
    const result = await client.callTool({ name: 'get_monitor_status', arguments: {} });
    expect(result.isError).toBeFalsy();
    await client.close();
    const res = await postMcp(vigil.operatorToken);
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).error.message).toContain('operator token cannot be used for MCP');
  });
});
