/**
 * The caller the OAuth guard verified, as it hands it to the /mcp handler on the response's
 * `locals`. Its own module so the MCP layer can read it without loading express or the guard.
 */
import type { Response } from 'express';

/** A caller the guard verified: the MCP router's identity (session owner) plus the audit log's caller id. */
export interface OAuthCaller {
  role: 'assistant';
  /** `oauth:<sub>`: who owns the MCP sessions this caller opens. */
  identity: string;
  /** The identity, with the OAuth client when the token names one; never the token. */
  callerId: string;
}

const LOCALS_KEY = 'oauthCaller';

/** The OAuth caller the guard verified for this request, if it was an OAuth token. */
export function oauthCaller(res: Response): OAuthCaller | undefined {
  return res.locals[LOCALS_KEY] as OAuthCaller | undefined;
}

/** Records the caller the guard verified, for the /mcp handler after it. */
export function setOAuthCaller(res: Response, caller: OAuthCaller): void {
  res.locals[LOCALS_KEY] = caller;
}
