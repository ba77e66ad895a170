/** Bearer-token checks for the two roles: the assistant (MCP) and the operator (REST, approvals). */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const ROLES = ['assistant', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/** Constant-time comparison (hashing first so lengths never leak through timing). */
export function tokenEquals(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/** The token of an `Authorization: Bearer …` header, if any. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const header = headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** Which role a token belongs to, if any. */
export function roleOf(token: string | undefined, tokens: { assistantToken: string; operatorToken: string }): Role | undefined {
  if (token === undefined) return undefined;
  if (tokenEquals(token, tokens.operatorToken)) return 'operator';
  if (tokenEquals(token, tokens.assistantToken)) return 'assistant';
  return undefined;
}
