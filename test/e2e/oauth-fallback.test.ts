// Pins OAuth mode when the identity provider is unreachable (503 with Retry-After, the static assistant token still works) and when staticAssistantToken is false (that token is refused with 401 invalid_token).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { freePort, postInitialize, startOAuthVigil, type OAuthVigil } from '../helpers/oauth-vigil.js';

let down: OAuthVigil;
let strict: OAuthVigil;
/** An issuer on a loopback port nothing listens on: discovery fails with connection refused. */
let deadIssuer: string;

beforeAll(async () => {
  deadIssuer = `http://127.0.0.1:${await freePort()}`;
  down = await startOAuthVigil({ issuer: deadIssuer });
  strict = await startOAuthVigil({ issuer: deadIssuer, oauthLines: ['staticAssistantToken: false'] });
});

afterAll(async () => {
  await down?.close();
  await strict?.close();
});

/** Header, payload and signature that parse as a JWT; which key signed it never gets asked. */
const someJwt = `${Buffer.from('{"alg":"RS256","kid":"k"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.c2ln`;

describe('OAuth mode without a reachable identity provider', () => {
  it('answers an access token with 503 and Retry-After, naming the discovery URL, not with a 401 that would send clients into sign-in loops', async () => {
    const res = await postInitialize(down.resource, someJwt);
    expect(res.status).toBe(503);
    expect(res.retryAfter).toBe('10');
    expect(JSON.parse(res.body).error.message).toContain(`${deadIssuer}/.well-known/openid-configuration`);
  });

  it('still serves the static assistant token, so a down provider locks nobody out by default', async () => {
    const client = new Client({ name: 'fallback', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(down.resource), {
        requestInit: { headers: { Authorization: `Bearer ${down.assistantToken}` } },
      }),
    );
    const result = await client.callTool({ name: 'get_monitor_status', arguments: {} });
    expect(result.isError).toBeFalsy();
    await client.close();
  });

  it('refuses the static assistant token with 401 invalid_token when staticAssistantToken is false', async () => {
    const res = await postInitialize(strict.resource, strict.assistantToken);
    expect(res.status).toBe(401);
    expect(res.challenge).toContain('error="invalid_token"');
    expect(JSON.parse(res.body).error.message).toContain('server.oauth.staticAssistantToken: false');
    const none = await postInitialize(strict.resource, undefined);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body).error.message).not.toContain('assistant token');
  });
});
