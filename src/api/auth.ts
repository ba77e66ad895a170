/** Bearer-token checks for the two roles: the assistant (MCP) and the operator (REST, approvals). */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const ROLES = ['assistant', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/** The token of an `Authorization: Bearer …` header, if any. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const header = headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** Which role a token belongs to, if any. The expected tokens' digests are computed once per token pair. */
export function roleOf(
  token: string | undefined,
  tokens: { assistantToken: string; operatorToken: string },
): Role | undefined {
  if (token === undefined) return undefined;
  const expected = digestsOf(tokens);
  const given = createHash('sha256').update(token).digest();
  if (timingSafeEqual(given, expected.operator)) return 'operator';
  if (timingSafeEqual(given, expected.assistant)) return 'assistant';
  return undefined;
}

const digestCache = new WeakMap<object, { assistant: Buffer; operator: Buffer }>();

function digestsOf(tokens: { assistantToken: string; operatorToken: string }) {
  let digests = digestCache.get(tokens);
  if (!digests) {
    digests = {
      assistant: createHash('sha256').update(tokens.assistantToken).digest(),
      operator: createHash('sha256').update(tokens.operatorToken).digest(),
    };
    digestCache.set(tokens, digests);
  }
  return digests;
}
