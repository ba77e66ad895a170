/**
 * Looking at and tidying a node over SSH: green `run_diagnostic` (a fixed menu of read-only
 * commands), red `run_command` (the operator-confirmed text, output capped), yellow `cleanup_disk`
 * (old logs under configured paths, oversized logs truncated after a compressed copy, journal
 * vacuum, package cache; with a dry run).
 */
import { z } from 'zod';
import { ToolFailure } from '../../errors.js';
import {
  LIMITS,
  parseDf,
  parseDu,
  parseFoundFiles,
  parseFree,
  parseTop,
  parseTruncatedLogs,
  parseUptime,
  totalBytes,
  type CommandSpec,
  type DiskUsage,
} from '../../clients/commands/index.js';
import type { NodeConfig } from '../../config/types.js';
import { defineTool, type ToolContext } from '../tool.js';
import { findNode, runOnNode, why } from './services.js';

export const DIAGNOSTICS = ['uptime', 'disk', 'memory', 'journal', 'service_status', 'top_processes'] as const;

/** Output of run_command is capped; the assistant gets the head and `truncated: true`. */
export const RUN_COMMAND_MAX_OUTPUT = 64 * 1024;

const nodeName = z.string().min(1).max(64).describe('node name from the config');

function diagnosticSpec(a: {
  diagnostic: (typeof DIAGNOSTICS)[number];
  service?: string;
  lines: number;
  count: number;
}): CommandSpec {
  switch (a.diagnostic) {
    case 'uptime':
      return { kind: 'uptime' };
    case 'disk':
      return { kind: 'df' };
    case 'memory':
      return { kind: 'free' };
    case 'top_processes':
      return { kind: 'top', count: a.count };
    case 'journal':
    case 'service_status':
      if (!a.service) throw new ToolFailure(`${a.diagnostic} needs a service (a systemd unit such as nginx.service)`);
      return a.diagnostic === 'journal'
        ? { kind: 'journal', unit: a.service, lines: a.lines }
        : { kind: 'status', unit: a.service };
  }
}

function parsed(diagnostic: (typeof DIAGNOSTICS)[number], stdout: string): Record<string, unknown> {
  try {
    if (diagnostic === 'uptime') return { uptime: parseUptime(stdout) };
    if (diagnostic === 'disk') return { filesystems: parseDf(stdout) };
    if (diagnostic === 'memory') return { memory: parseFree(stdout) };
    if (diagnostic === 'top_processes') return { processes: parseTop(stdout) };
  } catch {
    // Unparseable output still reaches the caller as raw text.
    return {};
  }
  return {};
}

export const runDiagnostic = defineTool({
  name: 'run_diagnostic',
  title: 'Run a read-only diagnostic',
  description:
    'Runs one fixed read-only command on a node over SSH: uptime (load), disk (df), memory (free), journal (journalctl -u SERVICE), service_status (systemctl status SERVICE) or top_processes.',
  tier: 'green',
  kind: 'infra',
  input: z.object({
    node: nodeName,
    diagnostic: z.enum(DIAGNOSTICS),
    service: z.string().min(1).max(256).optional().describe('systemd unit, for journal and service_status'),
    lines: z.number().int().min(1).max(500).default(50).describe('journal lines'),
    count: z.number().int().min(1).max(LIMITS.topProcesses).default(10).describe('top processes'),
  }),
  target: (a) => ({ node: a.node, ...(a.service ? { service: a.service } : {}) }),
  plan: (a) => `run the ${a.diagnostic} diagnostic on ${a.node}`,
  async handler(args, ctx) {
    const node = findNode(ctx, args.node);
    const r = await runOnNode(ctx, node, diagnosticSpec(args), `run ${args.diagnostic}`, {
      maxOutputBytes: RUN_COMMAND_MAX_OUTPUT,
    });
    // systemctl status exits 3 for a stopped unit: that is an answer, not a failure.
    const answered = r.exitCode === 0 || (args.diagnostic === 'service_status' && r.exitCode === 3);
    if (!answered) throw new ToolFailure(`failed to run ${args.diagnostic} on ${node.name}: ${why(r)}`);
    return {
      text: `${node.name} ${args.diagnostic}:\n${r.stdout}${r.truncated ? '\n[output truncated]' : ''}`,
      data: {
        node: node.name,
        diagnostic: args.diagnostic,
        exitCode: r.exitCode,
        truncated: r.truncated,
        ...parsed(args.diagnostic, r.stdout),
      },
    };
  },
});

export const runCommand = defineTool({
  name: 'run_command',
  title: 'Run a shell command',
  description:
    'Runs an arbitrary shell command on a node over SSH (sh -c). Red tier: needs confirmation. Output is capped at 64 KiB; the exit code is reported.',
  tier: 'red',
  kind: 'infra',
  input: z.object({
    node: nodeName,
    command: z.string().min(1).max(8192).describe('shell command text, run as one sh -c argument'),
  }),
  target: (a) => ({ node: a.node }),
  plan: (a) => `run \`${a.command}\` on ${a.node}`,
  async handler(args, ctx) {
    const node = findNode(ctx, args.node);
    const r = await runOnNode(ctx, node, { kind: 'run', text: args.command }, 'run the command', {
      maxOutputBytes: RUN_COMMAND_MAX_OUTPUT,
    });
    const parts = [`exit ${r.exitCode ?? r.signal ?? 'unknown'}${r.truncated ? ' (output truncated)' : ''}`];
    if (r.stdout) parts.push(`stdout:\n${r.stdout}`);
    if (r.stderr) parts.push(`stderr:\n${r.stderr}`);
    return {
      text: parts.join('\n'),
      data: { node: node.name, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, truncated: r.truncated },
    };
  },
});

export const CLEANUP_STEPS = ['old_logs', 'large_logs', 'journal', 'package_cache'] as const;
type CleanupStep = (typeof CLEANUP_STEPS)[number];

/** One step of a cleanup: what it touched and how many bytes it freed (or would free). */
export interface CleanupStepResult {
  step: CleanupStep;
  target: string;
  bytes: number;
  /** For large_logs, also the size before and the compressed copy kept (0 in a dry run). */
  files?: { path: string; bytes: number; sizeBefore?: number; copyBytes?: number }[];
  error?: string;
}

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
        data: { node: node.name, dryRun: args.dryRun, steps: [] },
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
        if (!args.dryRun) ctx.assertMayAct();
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

export const diagnosticTools = [runDiagnostic, runCommand, cleanupDisk];
