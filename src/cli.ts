#!/usr/bin/env node
/**
 * The vigil command line. Wiring only: config → logger → db → clients → safety → mcp → http.
 * Exit codes: 0 ok, 1 failure (e.g. broken audit chain, refused action), 2 bad usage or config.
 */
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline/promises';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { loadConfig, resolveConfigPath, writeExampleConfig, secretValues } from './config/index.js';
import type { VigilConfig } from './config/types.js';
import { ConfigError } from './errors.js';
import { createLogger } from './logger.js';
import { createCore, type Core } from './core.js';
import { startDaemon } from './daemon.js';
import { createMcpSession } from './mcp/server.js';
import type { Caller } from './mcp/tool.js';
import type { ExecuteResult } from './mcp/pipeline.js';
import { createClients } from './clients/index.js';
import { runLabCommand } from './commands/lab.js';
import { runDemoCommand } from './commands/demo.js';
import { runCheckCommand } from './commands/check.js';
import { runOnce } from './commands/once.js';
import { observedMonitorStatus } from './monitor/status.js';
import { createNotifications } from './notify/index.js';

const USAGE = `usage: vigil <command> [options]

commands:
  init                       write a commented example config (refuses to overwrite)
  serve [--host H] [--port N] run the daemon: MCP over Streamable HTTP at /mcp, operator API, monitor
  mcp                        serve MCP over stdio (shares the daemon's database)
  status                     kill switch, autonomy level, pending approvals
  killswitch on|off [--scope autonomy|all] [--reason TEXT] [--yes]
  approve ID | deny ID       decide a pending approval (operator)
  audit verify               check the audit log's hash chain (exit 1 if broken)
  once [--dry-run]           one monitor cycle by hand: what it finds and does (or would do)
  check                      test connectivity to Proxmox, every node's SSH, WoL settings and HTTP checks
  lab [--nodes N] [--guests M] [--write-config FILE]
                             run the simulated homelab in the foreground (first line: "lab: URL")
  demo [--port N] [--no-chaos] [--chaos-every SECONDS] [--data-dir DIR]
                             the lab plus the daemon over it, with chaos: dashboard, MCP, tokens

every command takes --config FILE (default: $VIGIL_CONFIG, then ./vigil.yaml)`;

class UsageError extends Error {}

const CLI_OPERATOR: Caller = { kind: 'operator', id: 'cli' };

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function fail(line: string): void {
  process.stderr.write(`vigil: ${line}\n`);
}

function openConfig(flag: string | undefined): VigilConfig {
  return loadConfig(resolveConfigPath(flag));
}

function openCore(config: VigilConfig, withClients = false): Core {
  const logger = createLogger(config.logging.level, secretValues(config));
  return createCore({ config, logger, ...(withClients ? { clients: createClients(config, logger) } : {}) });
}

/** Prints a pipeline result; returns the exit code. */
function report(result: ExecuteResult): number {
  if (result.kind === 'protocol_error') {
    fail(result.message);
    return 2;
  }
  (result.isError ? fail : out)(result.text);
  return result.isError ? 1 : 0;
}

async function confirmOnTty(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

async function serve(config: VigilConfig, host: string, port: number): Promise<number> {
  const core = openCore(config, true);
  const daemon = await startDaemon(core, host, port);
  const { url } = daemon.http;
  core.logger.info({ url, mcp: `${url}/mcp`, database: config.database.path }, 'vigil serving');
  process.stderr.write(`vigil: serving on ${url} (MCP at ${url}/mcp)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await daemon.stop();
  await core.close();
  return 0;
}

async function mcpStdio(config: VigilConfig): Promise<number> {
  const core = openCore(config, true);
  const sessionId = `stdio-${randomUUID()}`;
  const server = createMcpSession({ pipeline: core.pipeline, sessionId: () => sessionId });
  const transport = new StdioServerTransport();
  await server.connect(transport);
  await new Promise<void>((resolve) => {
    transport.onclose = resolve;
    process.stdin.once('end', resolve);
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  await core.close();
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      scope: { type: 'string' },
      reason: { type: 'string' },
      yes: { type: 'boolean', default: false },
      nodes: { type: 'string' },
      guests: { type: 'string' },
      'write-config': { type: 'string' },
      'no-chaos': { type: 'boolean', default: false },
      'chaos-every': { type: 'string' },
      'data-dir': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    out(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }

  switch (command) {
    case 'init': {
      const file = resolveConfigPath(values.config);
      writeExampleConfig(file);
      out(`wrote ${file}`);
      out(
        'next: export VIGIL_ASSISTANT_TOKEN and VIGIL_OPERATOR_TOKEN (two different values of 16+ characters), then run "vigil serve".',
      );
      return 0;
    }
    case 'serve': {
      const config = openConfig(values.config);
      const port = values.port === undefined ? config.server.port : Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port: expected a number 0–65535, got "${values.port}"`);
      return serve(config, values.host ?? config.server.host, port);
    }
    case 'mcp':
      return mcpStdio(openConfig(values.config));
    case 'status': {
      const core = openCore(openConfig(values.config));
      // The monitor runs in the daemon; its runs in the shared database say whether it is alive.
      core.deps.monitorStatus = () =>
        observedMonitorStatus({ store: core.stores.monitor, config: core.config, now: core.deps.now });
      try {
        return report(await core.pipeline.executeTool('get_monitor_status', {}, CLI_OPERATOR));
      } finally {
        await core.close();
      }
    }
    case 'killswitch': {
      const state = rest[0];
      if (state !== 'on' && state !== 'off') throw new UsageError('killswitch: expected "on" or "off"');
      if (values.scope !== undefined && values.scope !== 'autonomy' && values.scope !== 'all') {
        throw new UsageError(`--scope: expected "autonomy" or "all", got "${values.scope}"`);
      }
      const config = openConfig(values.config);
      if (state === 'off' && !values.yes && !(await confirmOnTty('Release the kill switch?'))) {
        fail('not confirmed: releasing the kill switch is a red action; run again with --yes or answer y');
        return 1;
      }
      const core = openCore(config);
      try {
        return report(
          await core.pipeline.executeTool(
            'set_kill_switch',
            {
              active: state === 'on',
              ...(values.scope ? { scope: values.scope } : {}),
              ...(values.reason ? { reason: values.reason } : {}),
            },
            CLI_OPERATOR,
          ),
        );
      } finally {
        await core.close();
      }
    }
    case 'approve':
    case 'deny': {
      const id = rest[0];
      if (!id) throw new UsageError(`${command}: expected an approval id (apr_…)`);
      const core = openCore(openConfig(values.config));
      try {
        return report(await core.pipeline.executeTool('approve_action', { id, verdict: command }, CLI_OPERATOR));
      } finally {
        await core.close();
      }
    }
    case 'audit': {
      if (rest[0] !== 'verify') throw new UsageError('audit: expected "audit verify"');
      const core = openCore(openConfig(values.config));
      try {
        const result = core.stores.audit.verify();
        if (result.ok) {
          out(`audit log intact: ${result.rows} rows, hash chain verified`);
          return 0;
        }
        fail(`audit log BROKEN at row ${result.firstBadId ?? '?'}: ${result.reason} (${result.rows} rows read)`);
        return 1;
      } finally {
        await core.close();
      }
    }
    case 'check': {
      const config = openConfig(values.config);
      // Failures are reported as check lines with remedies; log lines would only repeat them.
      return runCheckCommand(config, { out, logger: createLogger('silent') });
    }
    case 'demo':
      return runDemoCommand(
        {
          port: values.port,
          noChaos: values['no-chaos'],
          chaosEvery: values['chaos-every'],
          dataDir: values['data-dir'],
        },
        { out, err: fail },
      );
    case 'once': {
      const core = openCore(openConfig(values.config), true);
      const notifications = createNotifications({
        config: core.config.notifications,
        outbox: core.stores.outbox,
        logger: core.logger,
        now: core.deps.now,
        bus: core.bus,
        redact: core.redact,
      });
      try {
        const code = await runOnce(
          core,
          { dryRun: values['dry-run'], notifier: notifications.notifier, samples: core.stores.samples },
          { out },
        );
        if (!values['dry-run']) await notifications.worker.runOnce();
        return code;
      } finally {
        await core.close();
      }
    }
    case 'lab':
      return runLabCommand(
        { nodes: values.nodes, guests: values.guests, writeConfig: values['write-config'] },
        { out, err: fail },
      );
    default:
      throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) {
      fail(`config error in ${err.file}:`);
      for (const issue of err.issues) process.stderr.write(`  - ${issue}\n`);
      process.exitCode = 2;
    } else if (
      err instanceof UsageError ||
      (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      fail(err.message);
      process.exitCode = 2;
    } else {
      fail(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    }
  },
);
