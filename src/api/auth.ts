/** Bearer-token checks for the two roles: the assistant (MCP) and the operator (REST, approvals). */
import { timingSafeEqual, createHash } from 'node:crypto';
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

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Builds the token check for one pair of tokens. The expected digests are computed here, once,
 * where the auth middleware is created; comparing digests keeps the comparison constant-time
 * whatever the length of the token presented.
 */
export function createTokenCheck(tokens: { assistantToken: string; operatorToken: string }): TokenCheck {
  const expected = { assistant: digest(tokens.assistantToken), operator: digest(tokens.operatorToken) };
  const identify = (token: string | undefined): TokenIdentity | undefined => {
    if (token === undefined) return undefined;
    const given = digest(token);
    const role: Role | undefined = timingSafeEqual(given, expected.operator)
      ? 'operator'
      : timingSafeEqual(given, expected.assistant)
        ? 'assistant'
        : undefined;
    return role === undefined ? undefined : { role, identity: `${role}:${given.toString('hex')}` };
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
