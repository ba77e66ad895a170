/**
 * The pure half of OAuth resource-server mode: which role an access token's claims give its holder,
 * the RFC 9728 Protected Resource Metadata document, and the `WWW-Authenticate` challenges of
 * RFC 6750 §3 that point clients at it. Nothing here does I/O, so property tests can hammer it.
 */
import type { OAuthClaimMatch, OAuthConfig } from '../../config/types.js';

/** The assistant scope when the config names neither a scope nor a claim. */
export const DEFAULT_ASSISTANT_SCOPE = 'vigil:assistant';

/** Where RFC 9728 puts the metadata: this prefix, then the resource's path. */
export const PRM_PREFIX = '/.well-known/oauth-protected-resource';

/** A role grant: a scope the token must carry, or a claim value it must hold. */
export type RoleMatch = { scope: string } | { claim: OAuthClaimMatch };

export interface RolePolicy {
  assistant: RoleMatch;
  /** Absent: no token is taken for an operator's. */
  operator?: RoleMatch;
}

/** The role matches a config describes; the assistant defaults to the `vigil:assistant` scope. */
export function policyOf(config: OAuthConfig): RolePolicy {
  const assistant: RoleMatch = config.assistantClaim
    ? { claim: config.assistantClaim }
    : { scope: config.assistantScope ?? DEFAULT_ASSISTANT_SCOPE };
  const operator: RoleMatch | undefined = config.operatorClaim
    ? { claim: config.operatorClaim }
    : config.operatorScope !== undefined
      ? { scope: config.operatorScope }
      : undefined;
  return operator ? { assistant, operator } : { assistant };
}

/**
 * The scopes a token carries: `scope` (RFC 9068, space-separated) and `scp` (a list or a string,
 * as Okta and Entra write it) together.
 */
export function scopesOf(claims: Record<string, unknown>): Set<string> {
  const out = new Set<string>();
  for (const value of [claims.scope, claims.scp]) {
    const words = typeof value === 'string' ? value.split(' ') : Array.isArray(value) ? value : [];
    for (const word of words) if (typeof word === 'string' && word !== '') out.add(word);
  }
  return out;
}

/** The value at a dotted claim path (`realm_access.roles` is Keycloak's realm roles), if any. */
function claimAt(claims: Record<string, unknown>, name: string): unknown {
  let node: unknown = claims;
  for (const part of name.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Whether the claims grant a role: the scope is among the token's, or the claim is (or lists) the value. */
export function matches(claims: Record<string, unknown>, match: RoleMatch): boolean {
  if ('scope' in match) return scopesOf(claims).has(match.scope);
  const value = claimAt(claims, match.claim.name);
  return Array.isArray(value) ? value.includes(match.claim.value) : value === match.claim.value;
}

/**
 * What a verified token may do on /mcp, in this order: a token that marks an operator is refused
 * even when it also grants the assistant (a credential that can approve must never be the
 * assistant's, as `auth.assistantToken` and `auth.operatorToken` must differ); otherwise the
 * assistant grant decides.
 */
export function mcpAccess(claims: Record<string, unknown>, policy: RolePolicy): 'assistant' | 'operator' | 'none' {
  if (policy.operator && matches(claims, policy.operator)) return 'operator';
  return matches(claims, policy.assistant) ? 'assistant' : 'none';
}

/** The URL of the metadata document for a resource URL (RFC 9728 §3.1: the prefix goes between host and path). */
export function metadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  return `${url.origin}${PRM_PREFIX}${path}`;
}

/**
 * The paths the metadata is served at: the root form, the `/mcp`-suffixed form the MCP
 * authorization spec probes first, and the resource's own path when a reverse proxy mounts
 * /mcp elsewhere.
 */
export function metadataPaths(resource: string): string[] {
  const own = new URL(metadataUrl(resource)).pathname;
  return [...new Set([PRM_PREFIX, `${PRM_PREFIX}/mcp`, own])];
}

/** The RFC 9728 document: who issues tokens for this resource, and with which scope. */
export function protectedResourceMetadata(config: OAuthConfig): Record<string, unknown> {
  const { assistant } = policyOf(config);
  return {
    resource: config.resource,
    authorization_servers: [config.issuer],
    ...('scope' in assistant ? { scopes_supported: [assistant.scope] } : {}),
    bearer_methods_supported: ['header'],
    resource_name: 'vigil',
  };
}

/** Why a request is refused: no token (401), an invalid one (401), or one that is not the assistant's (403). */
export type Refusal =
  | { kind: 'missing' }
  | { kind: 'invalid_token'; description: string }
  | { kind: 'insufficient_scope'; description: string };

/** A quoted-string parameter value (RFC 9110 §5.6.4): backslash and double quote escaped, controls dropped. */
function quoted(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is being removed
  return `"${value.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** The status and `WWW-Authenticate` value for a refusal (RFC 6750 §3; MCP authorization, 2025-11-25). */
export function challenge(refusal: Refusal, config: OAuthConfig): { status: 401 | 403; header: string } {
  const { assistant } = policyOf(config);
  const params: Array<[string, string]> = [];
  if (refusal.kind !== 'missing') params.push(['error', refusal.kind], ['error_description', refusal.description]);
  if ('scope' in assistant) params.push(['scope', assistant.scope]);
  params.push(['resource_metadata', metadataUrl(config.resource)]);
  return {
    status: refusal.kind === 'insufficient_scope' ? 403 : 401,
    header: `Bearer ${params.map(([k, v]) => `${k}=${quoted(v)}`).join(', ')}`,
  };
}
