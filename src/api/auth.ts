/** Bearer-token checks for the two roles: the assistant (MCP) and the operator (REST, approvals). */
import * as crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const ROLES = ['assistant', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/** Who presented a token: its role and a stable identity (the role and the token's digest, never the token). */
export interface TokenIdentity {
  role: Role;
  identity: string;
}

export interface TokenCheck {
  /** Which role a token belongs to, if any. */
  roleOf(token: string | undefined): Role | undefined;
  /** The role and identity of a token, if it is one of ours. */
  identify(token: string | undefined): TokenIdentity | undefined;
}

/** The token of an `Authorization: Bearer …` header, if any. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const header = headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

// One-shot hashing (Node 20.12 and later) makes no Hash object per request; older Node 20 builds
// use createHash. The node types this project builds against predate it.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'buffer') => Buffer }).hash;

function digest(text: string): Buffer {
  return oneShot ? oneShot('sha256', text, 'buffer') : crypto.createHash('sha256').update(text).digest();
}

/**
 * Builds the token check for one pair of tokens. The expected digests are computed here, once,
 * where the auth middleware is created; comparing digests keeps the comparison constant-time
 * whatever the length of the token presented.
 */
export function createTokenCheck(tokens: { assistantToken: string; operatorToken: string }): TokenCheck {
  const expected = { assistant: digest(tokens.assistantToken), operator: digest(tokens.operatorToken) };
  // A token that matches has exactly the expected digest, so its identity is known in advance.
  const identities: Record<Role, TokenIdentity> = {
    assistant: Object.freeze({ role: 'assistant', identity: `assistant:${expected.assistant.toString('hex')}` }),
    operator: Object.freeze({ role: 'operator', identity: `operator:${expected.operator.toString('hex')}` }),
  };
  const identify = (token: string | undefined): TokenIdentity | undefined => {
    if (token === undefined) return undefined;
    const given = digest(token);
    if (crypto.timingSafeEqual(given, expected.operator)) return identities.operator;
    if (crypto.timingSafeEqual(given, expected.assistant)) return identities.assistant;
    return undefined;
  };
  return { identify, roleOf: (token) => identify(token)?.role };
}

/** Which role a token belongs to: a one-off check; middleware builds a `createTokenCheck` once instead. */
export function roleOf(
  token: string | undefined,
  tokens: { assistantToken: string; operatorToken: string },
): Role | undefined {
  return createTokenCheck(tokens).roleOf(token);
}
