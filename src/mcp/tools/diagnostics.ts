/**
 * Looking at a node over SSH: green `run_diagnostic` (a fixed menu of read-only commands) and red
 * `run_command` (the operator-confirmed text, output capped). Tidying it is `cleanup_disk` (cleanup.ts).
 */
import { z } from 'zod';
import { ToolFailure } from '../../errors.js';
import { LIMITS, parseDf, parseFree, parseTop, parseUptime, type CommandSpec } from '../../clients/commands/index.js';
import { defineTool } from '../tool.js';
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

/** One filesystem as `df` reports it; cleanup_disk reports the root one before and after. */
export const diskUsageSchema = z.object({
  filesystem: z.string(),
  mount: z.string().describe('mount point'),
  totalBytes: z.number(),
  usedBytes: z.number(),
  availBytes: z.number(),
  usedPercent: z.number().describe('used, percent'),
});

const parsedSchema = z.object({
  uptime: z
    .object({
      load1: z.number().describe('load average over 1 minute'),
      load5: z.number().describe('load average over 5 minutes'),
      load15: z.number().describe('load average over 15 minutes'),
      up: z.string().describe('how long the node has been up, as uptime prints it'),
    })
    .optional()
    .describe('uptime diagnostic, parsed'),
  filesystems: z.array(diskUsageSchema).optional().describe('disk diagnostic, parsed'),
  memory: z
    .object({
      totalBytes: z.number(),
      usedBytes: z.number(),
      freeBytes: z.number(),
      availableBytes: z.number().describe('available to new processes'),
      swapTotalBytes: z.number(),
      swapUsedBytes: z.number(),
    })
    .optional()
    .describe('memory diagnostic, parsed'),
  processes: z
    .array(
      z.object({
        pid: z.number().int(),
        command: z.string(),
        cpuPercent: z.number(),
        memPercent: z.number(),
      }),
    )
    .optional()
    .describe('top_processes diagnostic, parsed, busiest first'),
});

function parsed(diagnostic: (typeof DIAGNOSTICS)[number], stdout: string): z.infer<typeof parsedSchema> {
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

const exitCode = z
  .number()
  .int()
  .nullable()
  .describe('exit status; null when the command died by a signal or was stopped at the output cap');

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
  output: z.object({
    node: z.string(),
    diagnostic: z.enum(DIAGNOSTICS),
    exitCode,
    truncated: z.boolean().describe('the output was cut at 64 KiB'),
    ...parsedSchema.shape,
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
  output: z.object({
    node: z.string(),
    exitCode,
    stdout: z.string(),
    stderr: z.string(),
    truncated: z.boolean().describe('the output was cut at 64 KiB; stdout and stderr hold its head'),
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

export const diagnosticTools = [runDiagnostic, runCommand];
