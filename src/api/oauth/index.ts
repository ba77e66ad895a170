/**
 * OAuth 2.1 resource-server mode for /mcp (opt-in with `server.oauth`): the Protected Resource
 * Metadata document (RFC 9728) and a guard in front of the MCP router. The guard answers a request
 * without a token with 401 and a `WWW-Authenticate` that points at the metadata, verifies any token
 * that is not one of the static ones, and hands a verified assistant to the MCP router through
 * `res.locals`; static tokens pass through to the MCP router's own check unchanged.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { OAuthConfig } from '../../config/types.js';
import { bearerToken, type Role } from '../auth.js';
import { challenge, mcpAccess, metadataPaths, policyOf, protectedResourceMetadata, type Refusal } from './policy.js';
import type { AccessTokenVerifier } from '../../clients/oidc.js';
import { setOAuthCaller, type OAuthCaller } from './caller.js';

export interface OAuthDeps {
  config: OAuthConfig;
  /** Which static token (`auth.assistantToken`, `auth.operatorToken`) a bearer token is, if one: those are not JWTs. */
  staticRole: (token: string) => Role | undefined;
  logger: Logger;
  now: () => number;
  /** Defaults to the JWKS verifier of `config`. */
  verifier?: AccessTokenVerifier;
}

/** Sends a refusal the way RFC 6750 and the MCP authorization spec want it, with a JSON-RPC body for MCP clients. */
function refuse(res: Response, refusal: Refusal, config: OAuthConfig): void {
  const { status, header } = challenge(refusal, config);
  res.setHeader('WWW-Authenticate', header);
  const message =
    refusal.kind === 'missing'
      ? `missing bearer token; sign in with ${config.issuer} (see WWW-Authenticate resource_metadata)${config.staticAssistantToken ? ' or send the assistant token' : ''}`
      : refusal.description;
  res.status(status).json({ jsonrpc: '2.0', error: { code: -32001, message }, id: null });
}

/**
 * The JWKS verifier of `config`. Its module (and the JOSE library under it) is imported here, when
 * OAuth is configured, not by every process that loads this file.
 */
function jwksVerifier(config: OAuthConfig, now: () => number): AccessTokenVerifier {
  const made = import('../../clients/oidc.js').then(({ createAccessTokenVerifier }) =>
    createAccessTokenVerifier({ config, now }),
  );
  // A failed import surfaces on the first verify (a 500 for that request), not as an unhandled rejection.
  made.catch(() => undefined);
  return { verify: async (token) => (await made).verify(token) };
}

/**
 * Builds the router to mount before /mcp: the metadata at `/.well-known/oauth-protected-resource`
 * (root, `/mcp`-suffixed, and the configured resource's own path) and the /mcp guard.
 */
export function createOAuthRouter(deps: OAuthDeps): Router {
  const { config, logger } = deps;
  const verifier = deps.verifier ?? jwksVerifier(config, deps.now);
  const policy = policyOf(config);
  const metadata = protectedResourceMetadata(config);
  const router = express.Router();
  logger.info(
    { issuer: config.issuer, resource: config.resource, staticAssistantToken: config.staticAssistantToken },
    'OAuth resource-server mode on /mcp',
  );

  // Public, read-only and the same for everyone: browser-based clients fetch it cross-origin.
  const cors = (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Methods', 'GET, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'mcp-protocol-version');
    next();
  };
  for (const path of metadataPaths(config.resource)) {
    router.options(path, cors, (_req, res) => {
      res.status(204).end();
    });
    router.get(path, cors, (_req, res) => {
      res.setHeader('Cache-Control', 'public, max-age=300');
      res.json(metadata);
    });
  }

  router.use('/mcp', async (req, res, next) => {
    const token = bearerToken(req.headers);
    if (token === undefined) {
      refuse(res, { kind: 'missing' }, config);
      return;
    }
    const known = deps.staticRole(token);
    if (known) {
      if (known === 'assistant' && !config.staticAssistantToken) {
        refuse(
          res,
          {
            kind: 'invalid_token',
            description: `the static assistant token is switched off (server.oauth.staticAssistantToken: false); sign in with ${config.issuer}`,
          },
          config,
        );
        return;
      }
      // The MCP router checks static tokens (and refuses the operator's) exactly as without OAuth.
      next();
      return;
    }
    const verdict = await verifier.verify(token);
    if (!verdict.ok) {
      if (verdict.kind === 'unavailable') {
        logger.warn({ issuer: config.issuer, why: verdict.description }, 'cannot verify an OAuth access token');
        res.setHeader('Retry-After', '10');
        res.status(503).json({ jsonrpc: '2.0', error: { code: -32000, message: verdict.description }, id: null });
        return;
      }
      refuse(res, verdict, config);
      return;
    }
    const access = mcpAccess(verdict.claims, policy);
    if (access !== 'assistant') {
      const description =
        access === 'operator'
          ? 'this token marks an operator, and an operator credential is never the assistant on /mcp; use a token with only the assistant grant'
          : 'this token does not grant the assistant role on vigil (see WWW-Authenticate scope, or server.oauth.assistantClaim)';
      refuse(res, { kind: 'insufficient_scope', description }, config);
      return;
    }
    const identity = `oauth:${verdict.subject}`;
    const caller: OAuthCaller = {
      role: 'assistant',
      identity,
      callerId: verdict.clientId ? `${identity} (client ${verdict.clientId})` : identity,
    };
    setOAuthCaller(res, caller);
    next();
  });
  return router;
}
