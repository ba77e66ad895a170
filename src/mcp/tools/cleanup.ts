/**
 * Tidying a node over SSH: yellow `cleanup_disk` (old logs under configured paths, oversized logs
 * truncated after a compressed copy, journal vacuum, package cache; a dry run only measures).
 */
import { z } from 'zod';
import { ToolFailure } from '../../errors.js';
import {
  parseDf,
  parseDu,
  parseFoundFiles,
  parseTruncatedLogs,
  totalBytes,
  type DiskUsage,
} from '../../clients/commands/index.js';
import type { NodeConfig } from '../../config/types.js';
import { defineTool, type ToolContext } from '../tool.js';
import { diskUsageSchema } from './diagnostics.js';
import { findNode, runOnNode, why } from './services.js';

const nodeName = z.string().min(1).max(64).describe('node name from the config');

export const CLEANUP_STEPS = ['old_logs', 'large_logs', 'journal', 'package_cache'] as const;
type CleanupStep = (typeof CLEANUP_STEPS)[number];

/** One step of a cleanup: what it touched and how many bytes it freed (or would free). */
const cleanupStepSchema = z.object({
  step: z.enum(CLEANUP_STEPS),
  target: z.string().describe('what the step worked on, in words (a directory, the journal, the package cache)'),
  bytes: z.number().describe('bytes freed, or in a dry run that would be freed'),
  files: z
    .array(
      z.object({
        path: z.string(),
        bytes: z.number().describe('bytes freed by this file'),
        sizeBefore: z.number().optional().describe('large_logs: size before truncating'),
        copyBytes: z.number().optional().describe('large_logs: size of the gzip copy kept beside it (0 in a dry run)'),
      }),
    )
    .optional()
    .describe('old_logs and large_logs: the files deleted or truncated'),
  error: z.string().optional().describe('why this step failed; the other steps still ran'),
});
export type CleanupStepResult = z.infer<typeof cleanupStepSchema>;

/** journalctl's size suffixes are powers of 1024. */
export function sizeToBytes(size: string): number {
  const m = /^(\d+)([KMGT]?)$/.exec(size);
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m?.[2] ?? ''] ?? 1;
  return m ? Number(m[1]) * mult : 0;
}

async function measure(ctx: ToolContext, node: NodeConfig, target: 'journal' | 'package_cache'): Promise<number> {
  // du exits 1 when one of the directories does not exist; its numbers are still right.
  const r = await runOnNode(ctx, node, { kind: 'measure', target }, `measure ${target}`);
  return totalBytes(parseDu(r.stdout));
}

/**
 * One step. `removed` carries the paths old_logs deleted (or, in a dry run, would delete), so a dry
 * run does not count a file twice when it is both old and oversized.
 */
async function cleanupStep(
  ctx: ToolContext,
  node: NodeConfig,
  step: CleanupStep,
  dryRun: boolean,
  removed: Set<string>,
): Promise<CleanupStepResult[]> {
  const c = node.cleanup;
  if (step === 'large_logs') {
    const out: CleanupStepResult[] = [];
    const minBytes = c.truncateAboveMB * 1024 ** 2;
    for (const dir of c.logPaths) {
      const spec = { kind: 'truncate_large_logs', dir, allowlist: c.logPaths, minBytes, truncate: !dryRun } as const;
      const r = await runOnNode(ctx, node, spec, `truncate oversized logs in ${dir}`);
      // A dry run cannot know the compressed size: it counts the whole file (an upper bound).
      const files = parseTruncatedLogs(r.stdout).filter((f) => !removed.has(f.path));
      out.push({
        step,
        target: `oversized logs in ${dir} (> ${c.truncateAboveMB} MiB)`,
        bytes: totalBytes(files),
        files,
        ...(r.exitCode !== 0 ? { error: why(r) } : {}),
      });
    }
    return out;
  }
  if (step === 'old_logs') {
    const out: CleanupStepResult[] = [];
    for (const dir of c.logPaths) {
      const spec = { kind: 'old_logs', dir, allowlist: c.logPaths, maxAgeDays: c.maxAgeDays, delete: !dryRun } as const;
      const r = await runOnNode(ctx, node, spec, `clean old logs in ${dir}`);
      const files = parseFoundFiles(r.stdout);
      for (const f of files) removed.add(f.path);
      out.push({ step, target: dir, bytes: totalBytes(files), files, ...(r.exitCode !== 0 ? { error: why(r) } : {}) });
    }
    return out;
  }
  if (step === 'journal') {
    const before = await measure(ctx, node, 'journal');
    if (dryRun)
      return [
        {
          step,
          target: `journal to ${c.journalVacuumSize}`,
          bytes: Math.max(0, before - sizeToBytes(c.journalVacuumSize)),
        },
      ];
    const r = await runOnNode(ctx, node, { kind: 'vacuum_journal', size: c.journalVacuumSize }, 'vacuum the journal');
    const after = await measure(ctx, node, 'journal');
    return [
      {
        step,
        target: `journal to ${c.journalVacuumSize}`,
        bytes: Math.max(0, before - after),
        ...(r.exitCode !== 0 ? { error: why(r) } : {}),
      },
    ];
  }
  const before = await measure(ctx, node, 'package_cache');
  if (dryRun) return [{ step, target: 'package cache', bytes: before }];
  const r = await runOnNode(ctx, node, { kind: 'clean_packages' }, 'clean the package cache');
  const after = await measure(ctx, node, 'package_cache');
  return [
    {
      step,
      target: 'package cache',
      bytes: Math.max(0, before - after),
      ...(r.exitCode !== 0 ? { error: why(r) } : {}),
    },
  ];
}

async function rootUsage(ctx: ToolContext, node: NodeConfig): Promise<DiskUsage | undefined> {
  const r = await runOnNode(ctx, node, { kind: 'df' }, 'read disk usage');
  return parseDf(r.stdout).find((d) => d.mount === '/');
}

const mib = (b: number) => `${(b / 1024 ** 2).toFixed(1)} MiB`;

export const cleanupDisk = defineTool({
  name: 'cleanup_disk',
  title: 'Free disk space',
  description:
    "Frees disk on a node over SSH: deletes *.log* files older than the node's cleanup.maxAgeDays under its configured cleanup.logPaths only, truncates *.log files there larger than cleanup.truncateAboveMB after keeping a gzip copy beside each (FILE.<UTC stamp>.gz), vacuums the journal to cleanup.journalVacuumSize and cleans the package cache (apt-get clean) when enabled. Reports bytes freed per step (a truncated log frees its size minus its copy). dryRun: true only measures what would be freed (an oversized log counts in full).",
  tier: 'yellow',
  // Measuring only reads: a dry run is green, so it never needs the autonomy level or an approval of its own.
  tierFor: (a) => (a.dryRun ? 'green' : 'yellow'),
  kind: 'infra',
  input: z.object({
    node: nodeName,
    dryRun: z.boolean().default(false).describe('measure only; change nothing'),
    steps: z.array(z.enum(CLEANUP_STEPS)).min(1).optional().describe('default: every configured step'),
  }),
  output: z.object({
    node: z.string(),
    dryRun: z.boolean().describe('true: only measured, nothing changed'),
    freedBytes: z.number().describe('bytes freed over all steps (in a dry run: would be freed)'),
    steps: z.array(cleanupStepSchema).describe('one entry per step and log directory, in the order run'),
    before: diskUsageSchema.optional().describe('root filesystem before'),
    after: diskUsageSchema.optional().describe('root filesystem after (the same as before in a dry run)'),
  }),
  target: (a) => ({ node: a.node }),
  plan: (a) =>
    `${a.dryRun ? 'measure what a cleanup would free' : 'free disk space'} on ${a.node}: ${(a.steps ?? CLEANUP_STEPS).join(', ').replace('old_logs', 'old logs under the configured paths').replace('large_logs', 'oversized logs (gzip a copy, truncate)').replace('package_cache', 'package cache')}`,
  async handler(args, ctx) {
    const node = findNode(ctx, args.node);
    const steps = (args.steps ?? CLEANUP_STEPS).filter(
      (s) =>
        ((s !== 'old_logs' && s !== 'large_logs') || node.cleanup.logPaths.length > 0) &&
        (s !== 'package_cache' || node.cleanup.packageCache),
    );
    if (steps.length === 0)
      return {
        text: `nothing to clean on ${node.name}: no cleanup step is configured`,
        data: { node: node.name, dryRun: args.dryRun, freedBytes: 0, steps: [] },
      };
    const before = await rootUsage(ctx, node);
    const results: CleanupStepResult[] = [];
    const removed = new Set<string>();
    for (const step of steps) {
      try {
        results.push(...(await cleanupStep(ctx, node, step, args.dryRun, removed)));
      } catch (err) {
        // A kill switch flipped mid-cleanup stops everything (this re-check throws); any other
        // failure is one step's, and the remaining steps still run.
        if (!args.dryRun) await ctx.assertMayAct();
        results.push({ step, target: step, bytes: 0, error: (err as Error).message });
      }
    }
    if (results.every((r) => r.error)) {
      throw new ToolFailure(
        `failed to clean up disk on ${node.name}: ${results.map((r) => `${r.target}: ${r.error}`).join('; ')}`,
      );
    }
    const after = args.dryRun ? before : await rootUsage(ctx, node);
    const freed = results.reduce((s, r) => s + r.bytes, 0);
    const verb = args.dryRun ? 'would free' : 'freed';
    const lines = results.map(
      (r) =>
        `${r.target}: ${verb} ${mib(r.bytes)}${r.files ? ` (${r.files.length} files)` : ''}${r.error ? ` — ${r.error}` : ''}`,
    );
    const usage = before && after ? ` (/ ${before.usedPercent}% → ${after.usedPercent}% used)` : '';
    return {
      text: `${args.dryRun ? 'dry run: ' : ''}${node.name} ${verb} ${mib(freed)}${args.dryRun ? '' : usage}\n${lines.join('\n')}`,
      data: { node: node.name, dryRun: args.dryRun, freedBytes: freed, steps: results, before, after },
    };
  },
});

export const cleanupTools = [cleanupDisk];
