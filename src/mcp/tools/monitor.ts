/**
 * The monitor's records: green `get_incidents`, `get_autonomy_actions`; control `silence`,
 * `end_silence` (a silence stops the monitor acting on a target for a while; incidents still open
 * and are reported).
 */
import { z } from 'zod';
import { ToolFailure } from '../../errors.js';
import { ACTION_RESULTS, CONDITIONS, INCIDENT_STATUSES } from '../../contracts/conditions.js';
import { SEVERITIES } from '../../contracts/events.js';
import type { Caller } from '../../contracts/tiers.js';
import { defineTool } from '../tool.js';

function iso(t: number): string;
function iso(t: number | null): string | null;
function iso(t: number | null): string | null {
  return t === null ? null : new Date(t).toISOString();
}
const who = (c: Caller) => `${c.kind}:${c.id}`;

const time = z.string().describe('ISO 8601 time');

const incidentSchema = z.object({
  id: z.number().int(),
  key: z.string().describe('condition:target, e.g. guest.crashed:101; stable across restarts'),
  condition: z.enum(CONDITIONS),
  target: z.string().describe('what the condition is about: a guest id, node, service or check'),
  node: z.string().nullable(),
  status: z.enum(INCIDENT_STATUSES),
  severity: z.enum(SEVERITIES),
  summary: z.string(),
  details: z.record(z.string(), z.unknown()).describe('what detection saw'),
  attempts: z.number().int().describe('remediation attempts made so far'),
  flapping: z.boolean().describe('opened and resolved too often lately; the monitor does not act on it'),
  approvalId: z.string().nullable().describe('the approval request filed for it (autonomy level 2)'),
  firstSeen: time,
  lastSeen: time,
  resolvedAt: time.nullable(),
  escalatedAt: time.nullable(),
});

const actionSchema = z.object({
  id: z.number().int(),
  incidentId: z.number().int(),
  incidentKey: z.string(),
  runbook: z.string(),
  tool: z.string().nullable().describe('the tool the runbook called; null when it only notified'),
  args: z.record(z.string(), z.unknown()),
  node: z.string().nullable(),
  result: z.enum(ACTION_RESULTS),
  detail: z.string().describe('what happened, in words'),
  verification: z.string().nullable().describe('what the check after the action found'),
  auditId: z.number().int().nullable().describe('the audit row of the tool call'),
  approvalId: z.string().nullable(),
  holder: z.string().describe('the process that acted'),
  counts: z.boolean().describe('counts as an attempt: something was really tried'),
  startedAt: time,
  finishedAt: time.nullable(),
  durationMs: z.number().nullable(),
});

export const getIncidents = defineTool({
  name: 'get_incidents',
  title: 'List incidents',
  description:
    'Incidents the monitor opened (crashed guests, unreachable nodes, failed services, failing HTTP checks, full disks, memory pressure), newest first, with status (open, remediating, resolved, escalated), attempts and first/last seen.',
  tier: 'green',
  kind: 'infra',
  input: z.object({
    status: z.enum(INCIDENT_STATUSES).optional().describe('only incidents in this status'),
    active: z.boolean().default(false).describe('only incidents not yet resolved'),
    limit: z.number().int().min(1).max(500).default(20),
  }),
  output: z.object({ incidents: z.array(incidentSchema).describe('newest first') }),
  target: () => ({}),
  plan: (a) => `read ${a.active ? 'active ' : ''}incidents`,
  async handler(args, ctx) {
    const store = ctx.deps.stores.monitor;
    const list = args.active
      ? (await store.activeIncidents()).reverse().slice(0, args.limit)
      : await store.listIncidents({ limit: args.limit, ...(args.status ? { status: args.status } : {}) });
    const incidents = list.map((i) => ({
      ...i,
      firstSeen: iso(i.firstSeen),
      lastSeen: iso(i.lastSeen),
      resolvedAt: iso(i.resolvedAt),
      escalatedAt: iso(i.escalatedAt),
    }));
    const lines = incidents.map(
      (i) =>
        `#${i.id} [${i.status}${i.flapping ? ', flapping' : ''}] ${i.key}: ${i.summary} (since ${i.firstSeen}, ${i.attempts} attempt(s)${i.approvalId ? `, approval ${i.approvalId}` : ''})`,
    );
    return { text: lines.join('\n') || 'No incidents.', data: { incidents } };
  },
});

export const getAutonomyActions = defineTool({
  name: 'get_autonomy_actions',
  title: 'List autonomy actions',
  description:
    'What the monitor did on its own, newest first: incident, runbook, tool and arguments, result (succeeded, failed, verify_failed, blocked, pending_approval, dry_run, interrupted), verification and duration.',
  tier: 'green',
  kind: 'infra',
  input: z.object({
    incident_key: z
      .string()
      .min(1)
      .max(300)
      .optional()
      .describe('only actions for this incident key, e.g. guest.crashed:101'),
    limit: z.number().int().min(1).max(500).default(20),
  }),
  output: z.object({ actions: z.array(actionSchema).describe('newest first') }),
  target: () => ({}),
  plan: () => "read the monitor's actions",
  async handler(args, ctx) {
    const rows = await ctx.deps.stores.monitor.recentActions({
      limit: args.limit,
      ...(args.incident_key ? { incidentKey: args.incident_key } : {}),
    });
    const actions = rows.map((a) => ({ ...a, startedAt: iso(a.startedAt), finishedAt: iso(a.finishedAt) }));
    const lines = actions.map(
      (a) =>
        `#${a.id} ${a.startedAt} ${a.incidentKey} ${a.runbook}: ${a.tool ?? '-'} → ${a.result}${a.verification ? ` (${a.verification})` : ''}${a.durationMs !== null ? ` in ${Math.round(a.durationMs)} ms` : ''}`,
    );
    return { text: lines.join('\n') || 'The monitor has taken no action.', data: { actions } };
  },
});

export const silence = defineTool({
  name: 'silence',
  title: 'Silence a target',
  description:
    'Stops the monitor acting on a target for a while (incidents still open and are reported). target: "*" (everything), a node name, "guest:VMID", "service:NODE:UNIT", "http:NAME" or an incident key.',
  tier: 'yellow',
  kind: 'control',
  callers: ['assistant', 'operator'],
  input: z.object({
    target: z
      .string()
      .min(1)
      .max(300)
      .regex(
        /^[A-Za-z0-9*][A-Za-z0-9@._:/-]*$/,
        'expected "*", a node name, guest:VMID, service:NODE:UNIT, http:NAME or an incident key',
      ),
    minutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .describe('how long'),
    reason: z.string().max(500).default(''),
  }),
  output: z.object({
    id: z.number().int().describe('silence id, for end_silence'),
    target: z.string(),
    until: z.number().describe('when it ends, ms since the epoch'),
  }),
  target: () => ({}),
  plan: (a) => `silence ${a.target} for ${a.minutes} min${a.reason ? `: ${a.reason}` : ''}`,
  async handler(args, ctx) {
    const at = ctx.deps.now();
    const id = await ctx.deps.stores.monitor.addSilence(
      {
        matcher: args.target,
        reason: args.reason,
        createdBy: who(ctx.caller),
        startsAt: at,
        endsAt: at + args.minutes * 60_000,
      },
      at,
    );
    return {
      text: `Silence #${id}: the monitor takes no action on ${args.target} until ${iso(at + args.minutes * 60_000)}.`,
      data: { id, target: args.target, until: at + args.minutes * 60_000 },
    };
  },
});

export const endSilence = defineTool({
  name: 'end_silence',
  title: 'End a silence',
  description:
    'Ends a silence now, so the monitor acts on its target again. Acting again hands control back, so this is red.',
  tier: 'red',
  kind: 'control',
  callers: ['assistant', 'operator'],
  input: z.object({ id: z.number().int().positive() }),
  output: z.object({ id: z.number().int().describe('the silence that ended') }),
  target: () => ({}),
  plan: (a) => `end silence #${a.id}`,
  async handler(args, ctx) {
    if (!(await ctx.deps.stores.monitor.endSilence(args.id, ctx.deps.now())))
      throw ToolFailure.of('ERR_UNKNOWN_TARGET', `silence #${args.id} does not exist or has already ended`);
    return { text: `Silence #${args.id} ended.`, data: { id: args.id } };
  },
});

export const monitorTools = [getIncidents, getAutonomyActions, silence, endSilence];
