/**
 * Green `read_journal`: journalctl on a node over SSH, for one unit listed in the node's
 * `services` (or the whole node), bounded by lines and a time window, its output capped. The
 * command is built from validated parts (`journal_since` in src/clients/commands).
 */
import { z } from 'zod';
import { ToolFailure } from '../../errors.js';
import { LIMITS } from '../../clients/commands/index.js';
import { defineTool } from '../tool.js';
import { nodeName } from './cluster.js';
import { configuredUnit, findNode, runOnNode, why } from './services.js';

/** Output past this is cut (the command is stopped) and flagged `truncated`. */
export const JOURNAL_MAX_OUTPUT = 64 * 1024;

export const readJournal = defineTool({
  name: 'read_journal',
  title: 'Read the journal',
  description:
    "Reads a node's systemd journal over SSH: one unit from the node's configured services, or the whole node without one; the newest `lines` entries of the last `since_minutes`. Output is capped at 64 KiB.",
  tier: 'green',
  kind: 'infra',
  input: z.object({
    node: nodeName,
    unit: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe("a unit from the node's services (omit for the whole journal)"),
    lines: z.number().int().min(1).max(1000).default(100).describe('newest entries to show, 1–1000'),
    since_minutes: z
      .number()
      .int()
      .min(1)
      .max(LIMITS.journalSinceMinutes)
      .default(60)
      .describe('only entries of the last this many minutes (at most 7 days)'),
  }),
  output: z.object({
    node: z.string(),
    unit: z.string().optional(),
    lines: z.number().describe('entries returned'),
    journal: z.string().describe('journalctl -o short-iso output'),
    truncated: z.boolean().describe('the output hit the 64 KiB cap and was cut'),
  }),
  target: (a) => ({ node: a.node, ...(a.unit ? { service: a.unit } : {}) }),
  plan: (a) =>
    `read the last ${a.lines} journal entries of ${a.unit ?? 'the whole node'} on ${a.node} from the last ${a.since_minutes} minutes`,
  async handler(args, ctx) {
    const node = findNode(ctx, args.node);
    const unit = args.unit === undefined ? undefined : configuredUnit(node, args.unit, 'read the journal of');
    const r = await runOnNode(
      ctx,
      node,
      { kind: 'journal_since', ...(unit ? { unit } : {}), lines: args.lines, sinceMinutes: args.since_minutes },
      'read the journal',
      { maxOutputBytes: JOURNAL_MAX_OUTPUT },
    );
    if (r.exitCode !== 0 && !r.truncated)
      throw new ToolFailure(`failed to read the journal on ${node.name}: ${why(r)}`);
    const count = r.stdout.split('\n').filter((l) => l && !l.startsWith('-- ')).length;
    return {
      text: `${node.name} journal${unit ? ` of ${unit}` : ''}, last ${args.since_minutes} min:\n${r.stdout}${r.truncated ? '\n[output truncated]' : ''}`,
      data: { node: node.name, ...(unit ? { unit } : {}), lines: count, journal: r.stdout, truncated: r.truncated },
    };
  },
});

export const journalTools = [readJournal];
