/**
 * The monitor's records: green `get_incidents`, `get_autonomy_actions`; control `silence`,
 * `end_silence` (a silence stops the monitor acting on a target for a while; incidents still open
 * and are reported).
 */
import { z } from 'zod';
import { ToolFailure } from '../../errors.js';
import { INCIDENT_STATUSES } from '../../contracts/conditions.js';
import { defineTool, type Caller } from '../tool.js';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const who = (c: Caller) => `${c.kind}:${c.id}`;

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
  target: () => ({}),
  plan: (a) => `read ${a.active ? 'active ' : ''}incidents`,
  async handler(args, ctx) {
    const store = ctx.deps.stores.monitor;
    const list = args.active
      ? store.activeIncidents().reverse().slice(0, args.limit)
      : store.listIncidents({ limit: args.limit, ...(args.status ? { status: args.status } : {}) });
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
  target: () => ({}),
  plan: () => "read the monitor's actions",
  async handler(args, ctx) {
    const rows = ctx.deps.stores.monitor.recentActions({
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
  target: () => ({}),
  plan: (a) => `silence ${a.target} for ${a.minutes} min${a.reason ? `: ${a.reason}` : ''}`,
  async handler(args, ctx) {
    const at = ctx.deps.now();
    const id = ctx.deps.stores.monitor.addSilence(
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
  target: () => ({}),
  plan: (a) => `end silence #${a.id}`,
  async handler(args, ctx) {
    if (!ctx.deps.stores.monitor.endSilence(args.id, ctx.deps.now()))
      throw new ToolFailure(`silence #${args.id} does not exist or has already ended`);
    return { text: `Silence #${args.id} ended.`, data: { id: args.id } };
  },
});

export const monitorTools = [getIncidents, getAutonomyActions, silence, endSilence];
