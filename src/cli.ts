#!/usr/bin/env node
/**
 * The vigil command line. Wiring only: config → logger → db → clients → safety → mcp → http.
 * Exit codes: 0 ok, 1 failure (e.g. broken audit chain, refused action), 2 bad usage or config.
 */
import { existsSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline/promises';
import { loadConfig, resolveConfigPath, writeExampleConfig, secretValues } from './config/index.js';
import type { VigilConfig } from './config/types.js';
import { ConfigError } from './errors.js';
import { createLogger } from './logger.js';
import { LOG_FORMATS, type LogFormat } from './config/types.js';
import { UsageError, commandHelp, parseCommandLine, usageText } from './commands/table.js';
import { configExists, explainListenError, isApprovalId, malformedApprovalId } from './commands/friendly.js';
import { heartbeatIntervalMs, openCore as openCoreOf, type Core } from './core.js';
import { pollBus } from './realtime/bus.js';
import { startDaemon } from './daemon.js';
import { mcpSurface } from './mcp/surface.js';
import { describeRange } from './db/audit-chain.js';
import type { Caller } from './contracts/tiers.js';
import type { ExecuteResult } from './mcp/pipeline.js';
import { createClients } from './clients/index.js';
import { runOnce } from './commands/once.js';
import { haStatusOf } from './commands/status-ha.js';
import { observedMonitorStatus } from './monitor/status.js';
import { createNotifications } from './notify/index.js';

type Values = Record<string, string | boolean | undefined>;

const CLI_OPERATOR: Caller = { kind: 'operator', id: 'cli' };

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function fail(line: string): void {
  process.stderr.write(`vigil: ${line}\n`);
}

const str = (v: Values, name: string): string | undefined => (typeof v[name] === 'string' ? v[name] : undefined);

/** `--log-format` beats the config's `logging.format`; a bad value is a usage error. */
function logFormatOf(v: Values, config?: VigilConfig): LogFormat {
  const raw = str(v, 'log-format');
  if (raw === undefined) return config?.logging.format ?? 'auto';
  if (!(LOG_FORMATS as readonly string[]).includes(raw))
    throw new UsageError(`--log-format: expected one of ${LOG_FORMATS.join(', ')}, got "${raw}"`);
  return raw as LogFormat;
}

function openConfig(v: Values): VigilConfig {
  return loadConfig(resolveConfigPath(str(v, 'config')));
}

function openCore(config: VigilConfig, v: Values, withClients = false, compete = false): Promise<Core> {
  const logger = createLogger(config.logging.level, secretValues(config), logFormatOf(v, config));
  return openCoreOf({ config, logger, compete, ...(withClients ? { clients: createClients(config, logger) } : {}) });
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

/** The version in package.json (one directory above both src/ and dist/). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function withCore<T>(opening: Promise<Core>, run: (core: Core) => Promise<T>): Promise<T> {
  const core = await opening;
  try {
    return await run(core);
  } finally {
    await core.close();
  }
}

async function serve(v: Values): Promise<number> {
  const config = openConfig(v);
  const rawPort = str(v, 'port');
  const port = rawPort === undefined ? config.server.port : Number(rawPort);
  if (!/^\d+$/.test(rawPort ?? '0') || port > 65535)
    throw new UsageError(`--port: expected a number 0–65535 (0 picks a free port), got "${rawPort}"`);
  const host = str(v, 'host') ?? config.server.host;
  // The daemon competes for leadership when daemons share PostgreSQL (database.url).
  const core = await openCore(config, v, true, true);
  let daemon;
  try {
    daemon = await startDaemon(core, host, port);
  } catch (err) {
    await core.close();
    const why = explainListenError(err, host, port);
    if (why) {
      fail(why);
      return 1;
    }
    throw err;
  }
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

/** Where `vigil serve` with this config serves its dashboard: a wildcard bind is reached on loopback. */
function dashboardUrl(server: { host: string; port: number }): string {
  const host = server.host === '0.0.0.0' || server.host === '::' ? '127.0.0.1' : server.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
}

/**
 * `vigil mcp`: MCP over stdio. The SDK's stdio entry reads the client's opening (a 2026-07-28
 * request, or a 2025 initialize) and pins one server instance of that generation for the connection.
 */
async function mcpStdio(v: Values): Promise<number> {
  const core = await openCore(openConfig(v), v, true);
  const sessionId = `stdio-${randomUUID()}`;
  // Imported here, not at the top: `vigil serve` loads the MCP layer only for its first /mcp request.
  const [{ serveStdio }, { createMcpSession, createStateCodec, listedTools }] = await Promise.all([
    import('@modelcontextprotocol/server/stdio'),
    import('./mcp/server.js'),
  ]);
  const tools = listedTools(core.pipeline);
  const stateCodec = createStateCodec();
  const handle = serveStdio((ctx) =>
    createMcpSession({
      pipeline: core.pipeline,
      tools,
      sessionId: () => sessionId,
      era: ctx.era,
      stateCodec,
      // The entry routes this instance's change notifications onto the connection's listen streams.
      modernFeed: 'instance',
      approvalPage: (id) => `${dashboardUrl(core.config.server)}/#/approvals/${encodeURIComponent(id)}`,
      ...mcpSurface(core),
    }),
  );
  // Resource notifications follow events the daemon or the monitor write to the shared database.
  const polling = setInterval(() => void pollBus(core.bus, core.logger), 500);
  await new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(polling);
  await handle.close();
  await core.close();
  return 0;
}

function init(v: Values): number {
  const file = resolveConfigPath(str(v, 'config'));
  if (existsSync(file)) {
    fail(configExists(file));
    return 2;
  }
  writeExampleConfig(file);
  out(`wrote ${file}`);
  out(
    'next: export VIGIL_ASSISTANT_TOKEN and VIGIL_OPERATOR_TOKEN (two different values of 16+ characters), then run "vigil serve".',
  );
  return 0;
}

function status(v: Values): Promise<number> {
  return withCore(openCore(openConfig(v), v), async (core) => {
    // The monitor runs in the daemon; its runs in the shared database say whether it is alive.
    core.deps.monitorStatus = async () =>
      observedMonitorStatus({ store: core.stores.monitor, config: core.config, now: core.deps.now });
    const code = report(await core.pipeline.executeTool('get_monitor_status', {}, CLI_OPERATOR));
    // Which engine, and on a shared PostgreSQL which daemon leads and when the standby last beat.
    for (const line of await haStatusOf(core.ha, heartbeatIntervalMs(core.config), core.deps.now)) out(line);
    return code;
  });
}

async function killswitch(v: Values, [state]: string[]): Promise<number> {
  if (state !== 'on' && state !== 'off')
    throw new UsageError(`killswitch: expected "on" or "off", got "${state}"; run "vigil help killswitch"`);
  const scope = str(v, 'scope');
  if (scope !== undefined && scope !== 'autonomy' && scope !== 'all')
    throw new UsageError(`--scope: expected "autonomy" or "all", got "${scope}"`);
  const config = openConfig(v);
  if (state === 'off' && v.yes !== true && !(await confirmOnTty('Release the kill switch?'))) {
    fail('not confirmed: releasing the kill switch is a red action; run again with --yes or answer y');
    return 1;
  }
  const reason = str(v, 'reason');
  return withCore(openCore(config, v), async (core) =>
    report(
      await core.pipeline.executeTool(
        'set_kill_switch',
        { active: state === 'on', ...(scope ? { scope } : {}), ...(reason ? { reason } : {}) },
        CLI_OPERATOR,
      ),
    ),
  );
}

function decide(verdict: 'approve' | 'deny') {
  return (v: Values, [id]: string[]): Promise<number> => {
    if (!isApprovalId(id!)) throw new UsageError(malformedApprovalId(verdict, id!));
    return withCore(openCore(openConfig(v), v), async (core) =>
      report(await core.pipeline.executeTool('approve_action', { id, verdict }, CLI_OPERATOR)),
    );
  };
}

function audit(v: Values, [what]: string[]): Promise<number> {
  if (what !== 'verify') throw new UsageError(`audit: expected "audit verify", got "audit ${what}"`);
  return withCore(openCore(openConfig(v), v), async (core) => {
    const result = await core.stores.audit.verify();
    if (result.ok) {
      out(`audit log intact: ${result.rows} rows, hash chain verified`);
      return 0;
    }
    fail(
      `audit log BROKEN: ${result.badRows} bad row(s) in ${result.ranges.length + result.rangesOmitted} range(s), ` +
        `first at row ${result.firstBadId ?? '?'} (${result.rows} rows read)`,
    );
    if (result.ranges.length === 0) fail(`  ${result.reason}`);
    for (const range of result.ranges) fail(`  ${describeRange(range)}`);
    if (result.rangesOmitted > 0) fail(`  … and ${result.rangesOmitted} more range(s)`);
    return 1;
  });
}

function once(v: Values): Promise<number> {
  const dryRun = v['dry-run'] === true;
  // On PostgreSQL it acts only as the leader (no daemon leads meanwhile): it competes like a daemon.
  return withCore(openCore(openConfig(v), v, true, !dryRun), async (core) => {
    const notifications = createNotifications({
      config: core.config.notifications,
      outbox: core.stores.outbox,
      logger: core.logger,
      now: core.deps.now,
      bus: core.bus,
      redact: core.redact,
    });
    const code = await runOnce(
      core,
      { dryRun, notifier: notifications.notifier, samples: core.stores.samples },
      { out },
    );
    if (!dryRun) await notifications.worker.runOnce();
    return code;
  });
}

/** What each command does; its arguments and options are declared in src/commands/table.ts. */
const HANDLERS: Record<string, (v: Values, positionals: string[]) => Promise<number> | number> = {
  init,
  serve,
  mcp: mcpStdio,
  status,
  killswitch,
  approve: decide('approve'),
  deny: decide('deny'),
  audit,
  // Failures are reported as check lines with remedies; log lines would only repeat them.
  // Imported when run: its issuer probe brings the JOSE library, which the daemon needs only with OAuth.
  check: async (v) =>
    (await import('./commands/check.js')).runCheckCommand(openConfig(v), { out, logger: createLogger('silent') }),
  once,
  db: async (v, [action]) =>
    (await import('./commands/db.js')).runDbCommand(
      { action, to: str(v, 'to'), source: openConfig(v).database.path },
      { out, err: fail },
    ),
  // The lab and the demo are imported when run: the daemon never loads the simulated homelab.
  lab: async (v) =>
    (await import('./commands/lab.js')).runLabCommand(
      { nodes: str(v, 'nodes'), guests: str(v, 'guests'), writeConfig: str(v, 'write-config') },
      { out, err: fail },
    ),
  demo: async (v) =>
    (await import('./commands/demo.js')).runDemoCommand(
      {
        port: str(v, 'port'),
        noChaos: v['no-chaos'] === true,
        chaosEvery: str(v, 'chaos-every'),
        dataDir: str(v, 'data-dir'),
        logFormat: logFormatOf(v),
      },
      { out, err: fail },
    ),
};

async function main(argv: string[]): Promise<number> {
  const line = parseCommandLine(argv);
  if (line.kind === 'version') {
    out(`vigil ${version()}`);
    return 0;
  }
  if (line.kind === 'help') {
    out(line.command ? commandHelp(line.command) : usageText());
    // A bare `vigil` is a usage mistake; asking for help is not.
    return argv.length === 0 ? 2 : 0;
  }
  const handler = HANDLERS[line.command.name];
  if (!handler) throw new UsageError(`unknown command "${line.command.name}"; run "vigil help"`);
  return handler(line.values, line.positionals);
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
    } else if (err instanceof UsageError) {
      fail(err.message);
      process.exitCode = 2;
    } else {
      fail(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    }
  },
);
