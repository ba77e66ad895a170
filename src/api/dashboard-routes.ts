/**
 * Read-only operator routes the dashboard polls: the homelab as the monitor last saw it, an
 * incident's timeline and next step, a node's metric history with its fitted trend, audit rows by
 * tool, caller and outcome with the chain's verification, and the tool list (tiers) for approval
 * cards. They read the monitor's observation and the stores, never tools: a page refreshing every
 * few seconds must not add audit rows. Everything that acts stays in rest.ts, through executeTool.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { StorePorts } from '../db/ports.js';
import type { SamplePoint } from '../db/samples.js';
import type { AuditQuery, AuditRow } from '../db/audit.js';
import type { VigilConfig } from '../config/types.js';
import type { Pipeline } from '../mcp/pipeline.js';
import type { HomelabFeed } from '../monitor/homelab.js';
import { decideRemediation } from '../monitor/guardrails.js';
import { guardInputFor } from '../monitor/remediate.js';
import { runbooksFromConfig } from '../monitor/runbooks.js';
import { decideFillPredicted, fitTrend, trendSegment } from '../util/trend.js';
import { fillOptionsOf } from '../monitor/observe.js';
import { bearerToken, roleOf } from './auth.js';
import { describeIssues } from '../util/zod-issues.js';
import { nextStepOf, timelineOf, type TimelineInput } from './dashboard/timeline.js';
import type { Incident } from '../contracts/incidents.js';
import type { HaView } from '../db/ha.js';
import { haReport } from './ha-report.js';

export interface DashboardRoutesDeps {
  pipeline: Pipeline;
  stores: StorePorts;
  config: VigilConfig;
  tokens: { assistantToken: string; operatorToken: string };
  now: () => number;
  /** The monitor's store: incidents, actions and the guardrails' counters. */
  monitor: Parameters<typeof guardInputFor>[0]['store'];
  /** Stored node metrics (`disk.percent`, `memory.percent`). */
  samples: { series(node: string, metric: string, since: number, limit?: number): Promise<SamplePoint[]> };
  /** The report of the monitor running in this process, if one does. */
  monitorStatus: () => Promise<{ running: boolean; detail?: string } | undefined> | undefined;
  /** The monitor's latest observation; absent when no monitor runs in this process. */
  homelab?: HomelabFeed;
  /** This daemon among daemons sharing the database (core.ha); the overview shows who leads. */
  ha?: HaView;
}

const DAY_MS = 86_400_000;
/** Most audit rows one search reads before it answers with what it found and a cursor. */
const AUDIT_SCAN_MAX = 5000;
/** Points per history answer: enough for a chart as wide as a screen. */
const HISTORY_POINTS = 1500;

const idParams = z.object({ id: z.coerce.number().int().positive() });
const historyParams = z.object({
  node: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'expected a node name like pve1'),
});
const historyQuery = z.object({
  metric: z.enum(['disk.percent', 'memory.percent']).default('disk.percent'),
  days: z.coerce.number().min(0.01).max(90).default(7),
});
const auditQuery = z.object({
  tool: z
    .string()
    .regex(/^[a-z][a-z0-9_]{1,63}$/, 'expected a tool name like start_guest')
    .optional(),
  caller: z
    .string()
    .regex(/^[a-z]+(:[A-Za-z0-9._@!-]{1,100})?$/, 'expected a caller kind like monitor, or kind:id like operator:rest')
    .optional(),
  // The decision (blocked, denied, pending, …) or the outcome (ok, error, timeout, not_run).
  outcome: z
    .string()
    .regex(/^[a-z_]{2,20}$/, 'expected an outcome like ok, error or blocked')
    .optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

function parseOr400<T>(schema: z.ZodType<T>, value: unknown, res: Response, where: string): T | undefined {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  res.status(400).json({ error: `${where}: ${describeIssues(parsed.error)}` });
  return undefined;
}

/** Evenly thins a series to at most `max` points, keeping the last (the newest reading). */
function thin(points: readonly SamplePoint[], max: number): SamplePoint[] {
  if (points.length <= max) return [...points];
  const step = points.length / max;
  const out = Array.from({ length: max - 1 }, (_, i) => points[Math.floor(i * step)]!);
  out.push(points[points.length - 1]!);
  return out;
}

/** Builds the router; mount it at /api beside the REST router (its paths do not overlap). */
export function createDashboardRoutes(deps: DashboardRoutesDeps): Router {
  const router = express.Router();
  const store = deps.monitor;
  const runbooks = runbooksFromConfig(deps.config);

  // Per route rather than router-wide, so paths this router does not serve fall through untouched.
  const operator = (req: Request, res: Response, next: NextFunction) => {
    const role = roleOf(bearerToken(req.headers), deps.tokens);
    if (role === 'operator') return next();
    if (role === 'assistant') {
      res.status(403).json({ error: 'the assistant token cannot use the operator API; use the operator token' });
      return;
    }
    res.setHeader('WWW-Authenticate', 'Bearer realm="vigil-operator"');
    res.status(401).json({ error: 'missing or invalid operator token (Authorization: Bearer …)' });
  };

  /** What the timeline and the next step are built from: stored rows and the guardrails' verdict now. */
  const storyOf = async (incident: Incident): Promise<TimelineInput> => {
    const rb = runbooks.get(incident.condition);
    const call = rb ? rb.action(incident, deps.config) : null;
    const ctx = { config: deps.config, store, stores: deps.stores, now: deps.now };
    const actions = await store.actionsForIncident(incident.id);
    // Read ahead for the pure timeline: the audit rows its actions name and the incident's approval.
    const audits = new Map<number, AuditRow>();
    for (const a of actions) {
      if (a.auditId === null || audits.has(a.auditId)) continue;
      const row = (await deps.stores.audit.list({ beforeId: a.auditId + 1, limit: 1 })).find((r) => r.id === a.auditId);
      if (row) audits.set(row.id, row);
    }
    const approval = incident.approvalId ? await deps.stores.approvals.get(incident.approvalId, deps.now()) : undefined;
    return {
      incident,
      actions,
      auditOf: (id: number) => audits.get(id),
      approvalOf: (id: string) => (approval?.id === id ? approval : undefined),
      decision: rb && call ? decideRemediation(await guardInputFor(ctx, incident, rb, call)) : null,
      call,
      now: deps.now(),
    };
  };
  const tierOf = (tool: string) => deps.pipeline.tools.find((t) => t.name === tool)?.tier ?? null;

  // What the overview shows, from the stores: get_monitor_status and get_incidents would audit every refresh.
  router.get('/overview', operator, async (_req, res) => {
    const now = deps.now();
    const pending = (await deps.stores.approvals.pending(now)).map((a) => ({ ...a, tier: tierOf(a.tool) }));
    res.json({
      status: {
        killSwitch: await deps.stores.preferences.killSwitch(),
        autonomyLevel: await deps.stores.preferences.autonomyLevel(),
        pendingApprovals: pending,
        monitor: (await deps.monitorStatus()) ?? {
          running: false,
          detail: 'the monitor is not running in this process',
        },
        ...(deps.ha ? { ha: await haReport(deps.ha) } : {}),
      },
      // Each open incident with what vigil will do next, so the overview answers it at a glance.
      incidents: await Promise.all(
        (await store.activeIncidents()).reverse().map(async (i) => ({ ...i, next: nextStepOf(await storyOf(i)) })),
      ),
      actions: await store.recentActions({ limit: 20 }),
    });
  });

  router.get('/homelab', operator, async (_req, res) => {
    res.json({
      snapshot: deps.homelab?.latest() ?? null,
      incidents: (await store.activeIncidents()).map((i) => ({
        id: i.id,
        key: i.key,
        condition: i.condition,
        target: i.target,
        node: i.node,
        status: i.status,
        severity: i.severity,
        summary: i.summary,
      })),
    });
  });

  router.get('/incidents/:id/timeline', operator, async (req, res) => {
    const params = parseOr400(idParams, req.params, res, 'path');
    if (!params) return;
    const incident = await store.incident(params.id);
    if (!incident) {
      res.status(404).json({ error: `no incident with id ${params.id}; GET /api/incidents lists them` });
      return;
    }
    const rb = runbooks.get(incident.condition);
    const input = await storyOf(incident);
    res.json({
      incident,
      runbook: rb ? { name: rb.name, description: rb.description, cooldownMs: rb.cooldownMs } : null,
      timeline: timelineOf(input),
      next: nextStepOf(input),
    });
  });

  router.get('/nodes/:node/history', operator, async (req, res) => {
    const params = parseOr400(historyParams, req.params, res, 'path');
    const q = params && parseOr400(historyQuery, req.query, res, 'query');
    if (!params || !q) return;
    const now = deps.now();
    const points = await deps.samples.series(params.node, q.metric, now - q.days * DAY_MS);
    // The trend is fitted over the forecast's own lookback and reset rule, as disk.fill_predicted does.
    const lookback = await deps.samples.series(
      params.node,
      q.metric,
      now - Math.max(1, deps.config.monitor.forecast.windowDays) * DAY_MS,
    );
    // Only disk usage drops in steps (a cleanup) that start a new trend; memory goes up and down.
    const segment = q.metric === 'disk.percent' ? trendSegment(lookback) : lookback;
    const trend = fitTrend(segment, now);
    const prediction =
      q.metric === 'disk.percent' ? decideFillPredicted(segment, now, fillOptionsOf(deps.config)) : null;
    res.json({
      node: params.node,
      metric: q.metric,
      at: now,
      points: thin(points, HISTORY_POINTS),
      threshold:
        q.metric === 'disk.percent'
          ? deps.config.monitor.thresholds.diskPercent
          : deps.config.monitor.thresholds.memoryPercent,
      trend: trend && {
        ...trend,
        from: segment[0]!.at,
        fullAt: trend.daysToFull === null ? null : now + trend.daysToFull * DAY_MS,
      },
      prediction,
    });
  });

  router.get('/audit/search', operator, async (req, res) => {
    const q = parseOr400(auditQuery, req.query, res, 'query');
    if (!q) return;
    const [kind, id] = q.caller?.split(':', 2) ?? [];
    const found: AuditRow[] = [];
    let before = q.before;
    let scanned = 0;
    let exhausted = false;
    // tool and caller kind are filtered in SQL; outcome and caller id page by page, a bounded scan.
    scan: while (scanned < AUDIT_SCAN_MAX) {
      const page = await deps.stores.audit.list({
        limit: 500,
        ...(before === undefined ? {} : { beforeId: before }),
        ...(q.tool ? { tool: q.tool } : {}),
        ...(kind ? { callerKind: kind as AuditQuery['callerKind'] } : {}),
      });
      scanned += page.length;
      for (const row of page) {
        before = row.id;
        if (id !== undefined && row.callerId !== id) continue;
        if (q.outcome && row.outcome !== q.outcome && row.decision !== q.outcome) continue;
        found.push(row);
        if (found.length >= q.limit) break scan;
      }
      if (page.length < 500) {
        exhausted = true;
        break;
      }
    }
    res.json({ entries: found, nextBefore: exhausted ? null : (before ?? null) });
  });

  router.get('/audit/verify', operator, async (_req, res) => {
    res.json({ verification: await deps.stores.audit.verify(), checkedAt: deps.now() });
  });

  router.get('/tools', operator, async (_req, res) => {
    res.json({ tools: deps.pipeline.tools.map((t) => ({ name: t.name, title: t.title, tier: t.tier })) });
  });

  return router;
}
