/** Control tools: the kill switch, the autonomy level and approvals. They steer vigil, not infrastructure. */
import { z } from 'zod';
import type { Caller } from '../../contracts/tiers.js';
import { defineTool } from '../tool.js';
import { AUTONOMY_LEVELS, KILL_SWITCH_SCOPES, type AutonomyLevel } from '../../contracts/tiers.js';
import { ToolFailure } from '../../errors.js';
import { APPROVAL_STATUSES } from '../../db/approvals.js';
import { CALLER_KINDS } from '../../contracts/tiers.js';

const LEVEL_NAMES = ['observe', 'notify', 'propose', 'act on yellow', 'act on red where a runbook opts in'] as const;

function who(caller: Caller): string {
  return caller.kind === 'operator' ? `operator:${caller.id}` : `${caller.kind}:${caller.id}`;
}

const killSwitchSchema = z.object({
  active: z.boolean(),
  scope: z.enum(KILL_SWITCH_SCOPES).describe('autonomy: the monitor does not act; all: no yellow or red call runs'),
  reason: z.string(),
  since: z.number().nullable().describe('when it changed, ms since the epoch'),
  by: z.string().nullable().describe('who changed it, e.g. operator:cli or assistant:<client>'),
});

const levelSchema = z
  .number()
  .int()
  .min(0)
  .max(4)
  .describe('0 observe · 1 notify · 2 propose · 3 act on yellow · 4 act on red where a runbook opts in');

export const setKillSwitch = defineTool({
  name: 'set_kill_switch',
  title: 'Set the kill switch',
  description:
    'Turn the kill switch on or off. Scope "autonomy" (default) stops the monitor from acting while it keeps ' +
    'watching and notifying; scope "all" freezes every yellow and red action from everyone. Turning it on is ' +
    'always allowed; turning it off is a red action that needs confirmation.',
  tier: 'red',
  kind: 'control',
  callers: ['assistant', 'operator'],
  input: z.object({
    active: z.boolean().describe('true to engage the switch, false to release it'),
    scope: z
      .enum(KILL_SWITCH_SCOPES)
      .default('autonomy')
      .describe('autonomy: stop the monitor acting; all: freeze every action'),
    reason: z.string().max(500).default('').describe('why, shown to operators'),
  }),
  output: z.object({ killSwitch: killSwitchSchema.describe('the state now') }),
  // Engaging is always safe; releasing hands control back, so it is confirmed like any red action.
  tierFor: (args) => (args.active ? 'yellow' : 'red'),
  target: () => ({}),
  plan: (args) =>
    args.active
      ? `engage the kill switch (scope ${args.scope})${args.reason ? `: ${args.reason}` : ''}`
      : 'release the kill switch',
  async handler(args, ctx) {
    const { preferences } = ctx.deps.stores;
    const before = await preferences.killSwitch();
    const at = ctx.deps.now();
    const state = args.active
      ? { active: true, scope: args.scope, reason: args.reason, since: at, by: who(ctx.caller) }
      : { active: false, scope: before.scope, reason: args.reason, since: at, by: who(ctx.caller) };
    await preferences.setKillSwitch(state, at);
    await ctx.deps.bus.publish({
      type: 'killswitch.changed',
      severity: args.active ? 'critical' : 'warning',
      title: args.active ? `kill switch ON (scope ${state.scope})` : 'kill switch OFF',
      message: `${who(ctx.caller)}${args.reason ? `: ${args.reason}` : ''}`,
      data: { ...state, previous: before },
    });
    return {
      text: args.active
        ? `Kill switch engaged (scope ${state.scope}). ${state.scope === 'all' ? 'No yellow or red action will run.' : 'The monitor will not act.'}`
        : 'Kill switch released.',
      data: { killSwitch: state },
    };
  },
});

export const setAutonomyLevel = defineTool({
  name: 'set_autonomy_level',
  title: 'Set the autonomy level',
  description:
    'Set how much the monitor may do on its own: 0 observe, 1 notify, 2 propose (files approval requests), ' +
    '3 act on yellow (default), 4 act on red where a runbook opts in. Levels 3 and 4 let the monitor act, ' +
    'so setting them needs confirmation.',
  tier: 'red',
  kind: 'control',
  callers: ['assistant', 'operator'],
  input: z.object({
    level: z.number().int().min(0).max(4).describe('0 observe · 1 notify · 2 propose · 3 act on yellow · 4 act on red'),
    reason: z.string().max(500).default(''),
  }),
  output: z.object({ level: levelSchema, previous: levelSchema.describe('the level before') }),
  tierFor: (args) => (args.level >= 3 ? 'red' : 'yellow'),
  target: () => ({}),
  plan: (args) => `set the autonomy level to ${args.level} (${LEVEL_NAMES[args.level] ?? '?'})`,
  async handler(args, ctx) {
    const level = args.level as AutonomyLevel;
    if (!AUTONOMY_LEVELS.includes(level)) throw new ToolFailure(`level must be 0–4, got ${args.level}`);
    const { preferences } = ctx.deps.stores;
    const previous = await preferences.autonomyLevel();
    await preferences.setAutonomyLevel(level, ctx.deps.now());
    await ctx.deps.bus.publish({
      type: 'autonomy.changed',
      severity: 'info',
      title: `autonomy level ${previous} → ${level}`,
      message: `${who(ctx.caller)} set level ${level} (${LEVEL_NAMES[level]})${args.reason ? `: ${args.reason}` : ''}`,
      data: { level, previous, by: who(ctx.caller) },
    });
    return {
      text: `Autonomy level set to ${level} (${LEVEL_NAMES[level]}); it was ${previous}.`,
      data: { level, previous },
    };
  },
});

export const approveAction = defineTool({
  name: 'approve_action',
  title: 'Approve or deny a pending action',
  description:
    'Approve or deny a pending approval request. Operators only: the assistant can never approve its own request.',
  tier: 'yellow',
  kind: 'control',
  callers: ['operator'],
  input: z.object({
    id: z.string().regex(/^apr_[A-Za-z0-9_-]{6,40}$/, 'expected an approval id like apr_…'),
    verdict: z.enum(['approve', 'deny']),
  }),
  output: z.object({
    approval: z.object({
      id: z.string(),
      tool: z.string(),
      args: z.record(z.string(), z.unknown()).describe('the exact arguments the approval covers'),
      callerKind: z.enum(CALLER_KINDS).describe('who asked'),
      callerId: z.string(),
      plan: z.string().describe('what the call will do'),
      status: z.enum(APPROVAL_STATUSES).describe('approved or denied now'),
      createdAt: z.number().describe('ms since the epoch'),
      expiresAt: z.number().describe('ms since the epoch; the requester must call again before then'),
      decidedAt: z.number().nullable(),
      decidedBy: z.string().nullable(),
      usedAt: z.number().nullable(),
    }),
  }),
  target: () => ({}),
  plan: (args) => `${args.verdict} approval ${args.id}`,
  async handler(args, ctx) {
    const verdict = args.verdict === 'approve' ? 'approved' : 'denied';
    const check = await ctx.deps.stores.approvals.decide(args.id, verdict, who(ctx.caller), ctx.deps.now());
    if (!check.ok) throw new ToolFailure(check.reason, check.code);
    const a = check.approval;
    // Which session asked and which identity may redeem are the requester's business: out of the answer.
    const { sessionId: _session, principal: _bound, ...approval } = a;
    await ctx.deps.bus.publish({
      type: 'approval.resolved',
      severity: 'info',
      title: `approval ${verdict}: ${a.tool}`,
      message: `${who(ctx.caller)} ${verdict} "${a.plan}"`,
      target: a.id,
      data: { approvalId: a.id, tool: a.tool, verdict, by: who(ctx.caller) },
    });
    return {
      text: `Approval ${a.id} ${verdict}: ${a.plan}.${verdict === 'approved' ? ' The requester may now call the tool again with this approval_id.' : ''}`,
      data: { approval },
    };
  },
});

export const controlTools = [setKillSwitch, setAutonomyLevel, approveAction];
