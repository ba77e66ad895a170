/**
 * The operator REST API (operator token only). Every change goes through executeTool as caller
 * `operator`, so it is gated, audited and published like any other call.
 */
import express, { type Request, type Response, type NextFunction, type Router } from 'express';
import { z } from 'zod';
import type { Pipeline, ExecuteResult } from '../mcp/pipeline.js';
import type { StorePorts } from '../db/ports.js';
import type { Caller } from '../contracts/tiers.js';
import { bearerToken, createTokenCheck } from './auth.js';
import { describeIssues } from '../util/zod-issues.js';
import { errorStatus } from '../contracts/errors.js';
import { KILL_SWITCH_SCOPES } from '../contracts/tiers.js';
import { INCIDENT_STATUSES } from '../contracts/conditions.js';

export interface RestDeps {
  pipeline: Pipeline;
  stores: StorePorts;
  tokens: { assistantToken: string; operatorToken: string };
  now: () => number;
}

const OPERATOR: Caller = { kind: 'operator', id: 'rest' };

const killSwitchBody = z.object({
  active: z.boolean(),
  scope: z.enum(KILL_SWITCH_SCOPES).optional(),
  reason: z.string().max(500).optional(),
});
const autonomyBody = z.object({ level: z.number().int().min(0).max(4), reason: z.string().max(500).optional() });
const limitQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) });
const sinceQuery = z.object({
  since: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
const actionsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(20),
  incident_key: z.string().min(1).max(300).optional(),
});
const incidentsQuery = z.object({
  status: z.enum(INCIDENT_STATUSES).optional(),
  // Query strings carry text: only the two spellings a person would type count as booleans.
  active: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(20),
});
const approvalParams = z.object({
  id: z.string().regex(/^apr_[A-Za-z0-9_-]{6,40}$/, 'expected an approval id like apr_…'),
});
const toolParams = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]{1,63}$/, 'expected a tool name like get_cluster_status'),
});

/** Parses `value` or answers 400 naming the field; returns undefined when it answered. */
function parseOr400<T>(schema: z.ZodType<T>, value: unknown, res: Response, where: string): T | undefined {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  res.status(400).json({ error: `${where}: ${describeIssues(parsed.error)}` });
  return undefined;
}

/**
 * Maps a pipeline result to an HTTP answer: 200 ok, 202 pending approval; a refusal or failure gets
 * its registry code's status (404 unknown approval, 409 approval already decided or expired, 403
 * blocked or denied, 504 timeout, 502 a tool that failed against the infrastructure).
 */
function sendResult(res: Response, result: ExecuteResult): void {
  if (result.kind === 'protocol_error') {
    res.status(errorStatus(result.code)).json({ error: result.message, auditId: result.auditId });
    return;
  }
  const status = result.isError ? errorStatus(result.code) : result.decision === 'pending' ? 202 : 200;
  res.status(status).json({
    ok: !result.isError,
    decision: result.decision,
    outcome: result.outcome,
    text: result.text,
    data: result.data ?? null,
    auditId: result.auditId,
  });
}

/** Builds the /api router. */
export function createRestRouter(deps: RestDeps): Router {
  const router = express.Router();
  router.use(express.json({ limit: '256kb' }));
  const auth = createTokenCheck(deps.tokens);

  router.use((req: Request, res: Response, next: NextFunction) => {
    const role = auth.roleOf(bearerToken(req.headers));
    if (role === 'operator') return next();
    if (role === 'assistant') {
      res.status(403).json({ error: 'the assistant token cannot use the operator API; use the operator token' });
      return;
    }
    res.setHeader('WWW-Authenticate', 'Bearer realm="vigil-operator"');
    res.status(401).json({ error: 'missing or invalid operator token (Authorization: Bearer …)' });
  });

  const run = async (res: Response, tool: string, args: Record<string, unknown>) =>
    sendResult(res, await deps.pipeline.executeTool(tool, args, OPERATOR));

  router.get('/monitor/status', async (_req, res) => run(res, 'get_monitor_status', {}));
  router.put('/monitor/killswitch', async (req, res) => {
    const body = parseOr400(killSwitchBody, req.body, res, 'body');
    if (body) await run(res, 'set_kill_switch', body);
  });
  router.put('/monitor/autonomy-level', async (req, res) => {
    const body = parseOr400(autonomyBody, req.body, res, 'body');
    if (body) await run(res, 'set_autonomy_level', body);
  });
  router.get('/monitor/actions', async (req, res) => {
    const q = parseOr400(actionsQuery, req.query, res, 'query');
    if (q) await run(res, 'get_autonomy_actions', q);
  });
  router.get('/incidents', async (req, res) => {
    const q = parseOr400(incidentsQuery, req.query, res, 'query');
    if (q) await run(res, 'get_incidents', q);
  });
  router.get('/audit', async (req, res) => {
    const q = parseOr400(limitQuery, req.query, res, 'query');
    if (q) res.json({ entries: await deps.stores.audit.list({ limit: q.limit }) });
  });
  router.get('/events', async (req, res) => {
    const q = parseOr400(sinceQuery, req.query, res, 'query');
    // Without `since`: the newest events (what a page shows first); with it: the next page forward.
    if (q)
      res.json({
        events:
          q.since === undefined
            ? await deps.stores.events.latest(q.limit)
            : await deps.stores.events.since(q.since, q.limit),
      });
  });
  router.get('/approvals', async (req, res) => {
    const q = parseOr400(limitQuery, req.query, res, 'query');
    if (q)
      res.json({
        pending: await deps.stores.approvals.pending(deps.now()),
        recent: await deps.stores.approvals.recent(q.limit, deps.now()),
      });
  });
  for (const verdict of ['approve', 'deny'] as const) {
    router.post(`/approvals/:id/${verdict}`, async (req, res) => {
      const params = parseOr400(approvalParams, req.params, res, 'path');
      if (params) await run(res, 'approve_action', { id: params.id, verdict });
    });
  }
  router.post('/tools/:name', async (req, res) => {
    const params = parseOr400(toolParams, req.params, res, 'path');
    const body = parseOr400(z.record(z.string(), z.unknown()), req.body, res, 'body');
    if (params && body) await run(res, params.name, body);
  });

  return router;
}
