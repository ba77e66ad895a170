/** Green tools that read vigil's own records: the audit log, the event history, the monitor's state. */
import { z } from 'zod';
import { defineTool } from '../tool.js';
import { CALLER_KINDS } from '../../contracts/tiers.js';

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
  target: () => ({}),
  plan: (args) => `read the last ${args.limit} audit entries`,
  async handler(args, ctx) {
    const rows = ctx.deps.stores.audit.list({
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
  target: () => ({}),
  plan: () => 'read recent events',
  async handler(args, ctx) {
    const { events } = ctx.deps.stores;
    const list = args.since === undefined ? events.latest(args.limit) : events.since(args.since, args.limit);
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
  target: () => ({}),
  plan: () => 'read the monitor status',
  async handler(_args, ctx) {
    const { preferences, approvals } = ctx.deps.stores;
    const now = ctx.deps.now();
    const killSwitch = preferences.killSwitch();
    const autonomyLevel = preferences.autonomyLevel();
    const pending = approvals
      .pending(now)
      .map((a) => ({ id: a.id, tool: a.tool, plan: a.plan, expiresAt: a.expiresAt }));
    const monitor = ctx.deps.monitorStatus?.() ?? {
      running: false,
      detail: 'the monitor is not running in this process',
    };
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
