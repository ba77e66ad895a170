/** Green tools that read vigil's own records: the audit log, the event history, the monitor's state. */
import { z } from 'zod';
import { defineTool } from '../tool.js';
import { eventSchema } from '../../contracts/events.js';
import { CYCLE_KINDS, INCIDENT_STATUSES } from '../../contracts/conditions.js';
import { AUDIT_DECISIONS, AUDIT_OUTCOMES, CALLER_KINDS, KILL_SWITCH_SCOPES, TIERS } from '../../contracts/tiers.js';

const iso = z.string().describe('ISO 8601 time');

const auditEntry = z.object({
  id: z.number().int().describe('row id; pass as beforeId to page back'),
  at: iso,
  callerKind: z.enum(CALLER_KINDS),
  callerId: z.string().describe('MCP client name, operator or monitor'),
  tool: z.string(),
  tier: z.enum(TIERS).nullable().describe("the call's tier; null when the tool or arguments were not valid"),
  args: z.unknown().describe('the arguments, secrets redacted'),
  target: z.unknown().describe('the node, guest or service the call touched'),
  decision: z.enum(AUDIT_DECISIONS).describe('what the pipeline decided: allowed, blocked, denied, pending, ...'),
  outcome: z.enum(AUDIT_OUTCOMES).describe('what happened when it ran; not_run when it did not'),
  durationMs: z.number(),
  error: z.string().nullable().describe('why it was refused or failed'),
  approvalId: z.string().nullable().describe('the approval it filed or redeemed'),
});

/** The monitor's own report (from the process that runs it, or read from the shared database). */
const monitorReport = z.object({
  running: z.boolean(),
  degraded: z.boolean().optional().describe('a schedule missed two intervals'),
  detail: z.string().optional().describe('the state in words'),
  schedules: z
    .array(
      z.object({
        kind: z.enum(CYCLE_KINDS),
        lastRunAt: z.number().describe('ms since the epoch'),
        durationMs: z.number().nullable(),
        error: z.string().nullable(),
        overdue: z.boolean(),
      }),
    )
    .optional(),
  activeIncidents: z
    .array(
      z.object({
        key: z.string(),
        status: z.enum(INCIDENT_STATUSES),
        attempts: z.number().int(),
        since: z.number().describe('ms since the epoch'),
      }),
    )
    .optional(),
  leases: z
    .array(
      z.object({
        node: z.string(),
        holder: z.string().describe('process holding the node under remediation'),
        pid: z.number().int(),
        host: z.string(),
        incidentKey: z.string(),
        acquiredAt: z.number(),
        expiresAt: z.number(),
      }),
    )
    .optional()
    .describe('nodes under remediation now (blast radius)'),
  runbooks: z
    .record(
      z.string(),
      z.object({
        attempts: z.number().int(),
        succeeded: z.number().int(),
        successRate: z.number().nullable().describe('0–1 over the last week'),
        medianRecoveryMs: z.number().nullable(),
      }),
    )
    .optional()
    .describe('per runbook, the last week'),
});

export const getAuditLog = defineTool({
  name: 'get_audit_log',
  title: 'Read the audit log',
  description: 'The newest audit entries (one per tool call by anyone), newest first. Filter by tool or caller kind.',
  tier: 'green',
  kind: 'infra',
  input: z.object({
    limit: z.number().int().min(1).max(500).default(20),
    tool: z.string().max(64).optional(),
    caller: z.enum(CALLER_KINDS).optional(),
    beforeId: z.number().int().positive().optional().describe('page back: only entries older than this id'),
  }),
  output: z.object({ entries: z.array(auditEntry).describe('newest first') }),
  target: () => ({}),
  plan: (args) => `read the last ${args.limit} audit entries`,
  async handler(args, ctx) {
    const rows = await ctx.deps.stores.audit.list({
      limit: args.limit,
      ...(args.tool ? { tool: args.tool } : {}),
      ...(args.caller ? { callerKind: args.caller } : {}),
      ...(args.beforeId ? { beforeId: args.beforeId } : {}),
    });
    // A session id is the credential an approval is bound to: no caller of this tool may learn another's.
    const entries = rows.map(({ prevHash: _p, hash: _h, sessionId: _s, ...row }) => ({
      ...row,
      at: new Date(row.at).toISOString(),
    }));
    const lines = entries.map(
      (e) =>
        `#${e.id} ${e.at} ${e.callerKind}:${e.callerId} ${e.tool} → ${e.decision}/${e.outcome}${e.error ? ` (${e.error})` : ''}`,
    );
    return { text: lines.length ? lines.join('\n') : 'The audit log is empty.', data: { entries } };
  },
});

export const getEvents = defineTool({
  name: 'get_events',
  title: 'Read recent events',
  description:
    'Events vigil published (tool actions, approvals, kill switch, incidents), oldest first. Use since to page forward.',
  tier: 'green',
  kind: 'infra',
  input: z.object({
    since: z.number().int().min(0).optional().describe('only events with a larger id'),
    limit: z.number().int().min(1).max(500).default(50),
  }),
  output: z.object({ events: z.array(eventSchema).describe('oldest first; `at` is ms since the epoch') }),
  target: () => ({}),
  plan: () => 'read recent events',
  async handler(args, ctx) {
    const { events } = ctx.deps.stores;
    const list =
      args.since === undefined ? await events.latest(args.limit) : await events.since(args.since, args.limit);
    const lines = list.map((e) => `#${e.id} ${new Date(e.at).toISOString()} [${e.severity}] ${e.type}: ${e.title}`);
    return { text: lines.length ? lines.join('\n') : 'No events.', data: { events: list } };
  },
});

export const getMonitorStatus = defineTool({
  name: 'get_monitor_status',
  title: 'Monitor and safety status',
  description:
    'Kill switch (scope, reason, since), autonomy level, pending approvals and whether the monitor is running.',
  tier: 'green',
  kind: 'infra',
  input: z.object({}),
  output: z.object({
    killSwitch: z.object({
      active: z.boolean(),
      scope: z.enum(KILL_SWITCH_SCOPES).describe('autonomy: the monitor does not act; all: no yellow or red call runs'),
      reason: z.string(),
      since: z.number().nullable().describe('when it last changed, ms since the epoch'),
      by: z.string().nullable().describe('who changed it last'),
    }),
    autonomyLevel: z
      .number()
      .int()
      .min(0)
      .max(4)
      .describe('0 observe · 1 notify · 2 propose · 3 act on yellow · 4 act on red where a runbook opts in'),
    pendingApprovals: z.array(
      z.object({
        id: z.string().describe('approval id, apr_…'),
        tool: z.string(),
        plan: z.string().describe('what the call would do'),
        expiresAt: z.number().describe('ms since the epoch'),
      }),
    ),
    monitor: monitorReport,
    dryRun: z.boolean().describe('safety.dryRun: no action runs'),
    readOnly: z.boolean().describe('safety.readOnly: yellow and red tools are refused'),
  }),
  target: () => ({}),
  plan: () => 'read the monitor status',
  async handler(_args, ctx) {
    const { preferences, approvals } = ctx.deps.stores;
    const now = ctx.deps.now();
    const killSwitch = await preferences.killSwitch();
    const autonomyLevel = await preferences.autonomyLevel();
    const pending = (await approvals.pending(now)).map((a) => ({
      id: a.id,
      tool: a.tool,
      plan: a.plan,
      expiresAt: a.expiresAt,
    }));
    // The report comes loosely typed through deps; it is checked where it enters the tool's answer.
    const monitor = monitorReport.parse(
      (await ctx.deps.monitorStatus?.()) ?? { running: false, detail: 'the monitor is not running in this process' },
    );
    const ks = killSwitch.active
      ? `ON (scope ${killSwitch.scope}${killSwitch.reason ? `, ${killSwitch.reason}` : ''}, since ${new Date(killSwitch.since ?? now).toISOString()})`
      : 'off';
    return {
      text: [
        `kill switch: ${ks}`,
        `autonomy level: ${autonomyLevel}`,
        `pending approvals: ${pending.length}`,
        `monitor: ${monitor.running ? 'running' : 'not running'}${monitor.detail ? ` (${monitor.detail})` : ''}`,
        `safety: ${ctx.deps.config.safety.dryRun ? 'dry run, ' : ''}${ctx.deps.config.safety.readOnly ? 'read-only, ' : ''}confirmation by ${ctx.deps.config.safety.confirmation}`,
      ].join('\n'),
      data: {
        killSwitch,
        autonomyLevel,
        pendingApprovals: pending,
        monitor,
        dryRun: ctx.deps.config.safety.dryRun,
        readOnly: ctx.deps.config.safety.readOnly,
      },
    };
  },
});

export const historyTools = [getAuditLog, getEvents, getMonitorStatus];
