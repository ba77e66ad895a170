// Pins the pure OAuth decisions: which claims make a caller the assistant on /mcp (operator marks always refused), the RFC 9728 metadata URL and document, and well-formed WWW-Authenticate challenges.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  challenge,
  mcpAccess,
  metadataPaths,
  metadataUrl,
  policyOf,
  protectedResourceMetadata,
  scopesOf,
} from '../../../src/api/oauth/policy.js';
import type { OAuthConfig } from '../../../src/config/types.js';

const base: OAuthConfig = {
  issuer: 'https://auth.example.lan/application/o/vigil/',
  resource: 'https://vigil.example.lan/mcp',
  staticAssistantToken: true,
  jwksCacheSeconds: 600,
};

const scope = fc.stringMatching(/^[a-z][a-z:._-]{0,15}$/);

describe('mcpAccess', () => {
  it('grants the assistant exactly when the assistant scope is among the token scopes and no operator mark is', () => {
    fc.assert(
      fc.property(fc.uniqueArray(scope, { maxLength: 6 }), fc.boolean(), (scopes, asArray) => {
        const policy = policyOf({ ...base, operatorScope: 'vigil:operator' });
        const claims = asArray ? { scp: scopes } : { scope: scopes.join(' ') };
        const expected = scopes.includes('vigil:operator')
          ? 'operator'
          : scopes.includes('vigil:assistant')
            ? 'assistant'
            : 'none';
        expect(mcpAccess(claims, policy)).toBe(expected);
      }),
    );
  });

  it('never grants the assistant to a token that carries the operator mark, whatever else it carries', () => {
    fc.assert(
      fc.property(
        fc.array(scope),
        fc.array(fc.constantFrom('vigil-assistants', 'vigil-operators', 'other')),
        (s, groups) => {
          const policy = policyOf({
            ...base,
            assistantClaim: { name: 'groups', value: 'vigil-assistants' },
            operatorClaim: { name: 'groups', value: 'vigil-operators' },
          });
          const access = mcpAccess({ scope: s.join(' '), groups }, policy);
          if (groups.includes('vigil-operators')) expect(access).toBe('operator');
          else expect(access).toBe(groups.includes('vigil-assistants') ? 'assistant' : 'none');
        },
      ),
    );
  });

  it('reads dotted claim paths (Keycloak realm roles) and single string values', () => {
    const policy = policyOf({ ...base, assistantClaim: { name: 'realm_access.roles', value: 'vigil-assistant' } });
    expect(mcpAccess({ realm_access: { roles: ['offline_access', 'vigil-assistant'] } }, policy)).toBe('assistant');
    expect(mcpAccess({ realm_access: { roles: 'vigil-assistant' } }, policy)).toBe('assistant');
    expect(mcpAccess({ realm_access: 'vigil-assistant' }, policy)).toBe('none');
    expect(mcpAccess({ 'realm_access.roles': ['vigil-assistant'] }, policy)).toBe('none');
  });

  it('defaults the assistant to the vigil:assistant scope and has no operator unless configured', () => {
    expect(policyOf(base)).toEqual({ assistant: { scope: 'vigil:assistant' } });
    expect(scopesOf({ scope: 'a  b', scp: ['c', 7] })).toEqual(new Set(['a', 'b', 'c']));
  });
});

describe('metadata', () => {
  it('puts the well-known prefix between the origin and the path of the resource (RFC 9728 §3.1)', () => {
    expect(metadataUrl('https://vigil.example.lan/mcp')).toBe(
      'https://vigil.example.lan/.well-known/oauth-protected-resource/mcp',
    );
    expect(metadataUrl('https://lan.example/vigil/mcp/')).toBe(
      'https://lan.example/.well-known/oauth-protected-resource/vigil/mcp',
    );
    expect(metadataUrl('https://vigil.example.lan/')).toBe(
      'https://vigil.example.lan/.well-known/oauth-protected-resource',
    );
    expect(metadataPaths('https://lan.example/vigil/mcp')).toEqual([
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource/vigil/mcp',
    ]);
  });

  it('names the issuer and the assistant scope, and no scope when a claim decides', () => {
    expect(protectedResourceMetadata(base)).toEqual({
      resource: base.resource,
      authorization_servers: [base.issuer],
      scopes_supported: ['vigil:assistant'],
      bearer_methods_supported: ['header'],
      resource_name: 'vigil',
    });
    const byClaim = protectedResourceMetadata({ ...base, assistantClaim: { name: 'groups', value: 'x' } });
    expect(byClaim).not.toHaveProperty('scopes_supported');
  });
});

describe('challenge', () => {
  it('is 401 without an error for a missing token, 401 invalid_token and 403 insufficient_scope otherwise', () => {
    const url = 'https://vigil.example.lan/.well-known/oauth-protected-resource/mcp';
    expect(challenge({ kind: 'missing' }, base)).toEqual({
      status: 401,
      header: `Bearer scope="vigil:assistant", resource_metadata="${url}"`,
    });
    expect(challenge({ kind: 'invalid_token', description: 'expired' }, base)).toEqual({
      status: 401,
      header: `Bearer error="invalid_token", error_description="expired", scope="vigil:assistant", resource_metadata="${url}"`,
    });
    expect(challenge({ kind: 'insufficient_scope', description: 'no' }, base).status).toBe(403);
  });

  it('keeps any description inside one quoted-string: quotes and backslashes escaped, no line breaks', () => {
    fc.assert(
      fc.property(fc.string(), (description) => {
        const { header } = challenge({ kind: 'invalid_token', description }, base);
        expect(header).not.toMatch(/[\r\n]/);
        const params =
          /^Bearer error="invalid_token", error_description="((?:[^"\\]|\\.)*)", scope="vigil:assistant", resource_metadata="[^"]+"$/.exec(
            header,
          );
        expect(params).not.toBeNull();
      }),
    );
  });
});
