/**
 * `vigil demo [--port N] [--no-chaos] [--chaos-every SECONDS] [--data-dir DIR]`: the whole loop in
 * one command. Starts the simulated homelab, writes a config pointing at it, runs the daemon
 * (MCP over HTTP, operator API, dashboard, /events, /metrics) over it, and lets chaos break
 * something every so often. The first stdout line is exactly `dashboard: URL` (scripts read it);
 * the rest is for people: endpoints, tokens, ready-to-paste MCP client configurations.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLab, type LabOptions } from '../lab/index.js';
import { writeLabConfig } from '../lab/config-writer.js';
import { loadConfig, secretValues } from '../config/index.js';
import { createLogger } from '../logger.js';
import type { LogFormat } from '../config/types.js';
import { explainListenError } from './friendly.js';
import { createCore, type Core } from '../core.js';
import { createClients } from '../clients/index.js';
import { startDaemon } from '../daemon.js';
import { busyKeys, describeChaos } from './demo-chaos.js';
import { createChaos, startChaos } from './demo-chaos-driver.js';
import { runbooksFromConfig } from '../monitor/runbooks.js';
import { untilSignal } from './lab.js';
import type { VigilEvent } from '../contracts/events.js';

export interface DemoFlags {
  port?: string;
  noChaos?: boolean;
  chaosEvery?: string;
  dataDir?: string;
  /** Overrides the config's logging.format. */
  logFormat?: LogFormat;
}

export interface DemoIo {
  out(line: string): void;
  err(line: string): void;
  /** Where tokens come from (`VIGIL_ASSISTANT_TOKEN`, `VIGIL_OPERATOR_TOKEN`); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Resolves when the demo should stop; default: the first SIGINT or SIGTERM. */
  stopped?: Promise<void>;
  /** Overrides for the lab (tests: short task and boot times). */
  labOptions?: LabOptions;
}

const DEFAULT_PORT = 8377;
const STOP_WAIT_MS = 5000;

/**
 * Monitor settings for a lab on loopback: look often (it costs nothing here), and let a long
 * unattended demo keep acting instead of hitting the daily cap or calling every repeat flapping.
 */
export const DEMO_GUARDRAILS_YAML = [
  '  guardrails: { dailyActionCap: 10000, maxConcurrentNodes: 2 }',
  '  flapping: { openings: 10, windowMinutes: 60 }',
];
const DEMO_MONITOR_YAML = [
  '',
  '# vigil demo: a lively monitor for a simulated lab',
  'monitor:',
  '  schedules: { criticalSeconds: 5, fastSeconds: 1, routineSeconds: 10 }',
  ...DEMO_GUARDRAILS_YAML,
  '',
].join('\n');
const HEAL_AFTER_MIN = 15;

/** What the monitor would not act on now, from the shared database: chaos breaks something else. */
export function demoBusy(core: Core): (now: number) => Promise<ReadonlySet<string>> {
  const runbooks = runbooksFromConfig(core.config);
  const cooldown = new Map([...runbooks.values()].map((rb) => [rb.name, rb.cooldownMs]));
  const g = core.config.monitor.guardrails;
  const limits = { maxAttempts: g.maxAttempts, windowMs: g.attemptWindowMinutes * 60_000 };
  const lookback = Math.max(limits.windowMs, ...cooldown.values());
  return async (now) =>
    busyKeys({
      active: await core.stores.monitor.activeIncidents(),
      attempts: (await core.stores.monitor.actionsSince(now - lookback)).filter((a) => a.counts),
      cooldownMs: (runbook) => cooldown.get(runbook) ?? 0,
      limits,
      now,
    });
}

const TOKEN_ENV = { assistant: 'VIGIL_ASSISTANT_TOKEN', operator: 'VIGIL_OPERATOR_TOKEN' } as const;

function parsePort(raw: string | undefined): number | string {
  if (raw === undefined) return DEFAULT_PORT;
  const n = Number(raw);
  return /^\d+$/.test(raw) && n <= 65535 ? n : `--port: expected a number 0–65535 (0 picks a free port), got "${raw}"`;
}

function parseSeconds(raw: string | undefined): number | string {
  if (raw === undefined) return 20;
  const n = Number(raw);
  return /^\d+(\.\d+)?$/.test(raw) && n >= 0.5 && n <= 3600
    ? n
    : `--chaos-every: expected seconds between 0.5 and 3600, got "${raw}"`;
}

/** How to run this same vigil as a stdio MCP server: from dist with node, or from src through tsx. */
function stdioCommand(): { command: string; args: string[] } {
  const here = fileURLToPath(import.meta.url);
  // From source: tsx by absolute URL, since an MCP client starts the command from its own directory.
  if (here.endsWith('.ts'))
    return {
      command: process.execPath,
      args: ['--import', import.meta.resolve('tsx'), resolve(here, '..', '..', 'cli.ts')],
    };
  return { command: process.execPath, args: [resolve(here, '..', '..', 'cli.js')] };
}

/** The banner after the first line: endpoints, tokens and MCP client configurations. */
export function demoBanner(o: {
  url: string;
  configFile: string;
  dataDir: string;
  assistantToken: string;
  operatorToken: string;
  generated: boolean;
  labUrl: string;
}): string[] {
  const stdio = stdioCommand();
  const stdioConfig = {
    mcpServers: {
      vigil: {
        command: stdio.command,
        args: [...stdio.args, 'mcp', '--config', o.configFile],
        env: { [TOKEN_ENV.assistant]: o.assistantToken, [TOKEN_ENV.operator]: o.operatorToken },
      },
    },
  };
  const httpConfig = {
    mcpServers: {
      vigil: { type: 'http', url: `${o.url}/mcp`, headers: { Authorization: `Bearer ${o.assistantToken}` } },
    },
  };
  return [
    `mcp endpoint: ${o.url}/mcp (Streamable HTTP, assistant token as Bearer)`,
    `events: socket.io namespace /events on ${o.url} (handshake auth {token})`,
    `metrics: ${o.url}/metrics`,
    `assistant token: ${o.assistantToken}`,
    `operator token:  ${o.operatorToken}  (the dashboard asks for this one)`,
    ...(o.generated
      ? [`  (generated for this run; set ${TOKEN_ENV.assistant} and ${TOKEN_ENV.operator} to choose them)`]
      : []),
    `lab: ${o.labUrl} (simulated Proxmox VE, SSH nodes, Wake-on-LAN on loopback)`,
    `data: ${o.dataDir} (config ${o.configFile})`,
    '',
    'MCP client configuration, stdio (e.g. claude_desktop_config.json):',
    ...JSON.stringify(stdioConfig, null, 2).split('\n'),
    '',
    'MCP client configuration, Streamable HTTP:',
    ...JSON.stringify(httpConfig, null, 2).split('\n'),
    '',
  ];
}

/** Runs the demo until stopped; returns the exit code (2 for bad flags, 1 when it cannot start). */
export async function runDemoCommand(flags: DemoFlags, io: DemoIo): Promise<number> {
  const port = parsePort(flags.port);
  const every = parseSeconds(flags.chaosEvery);
  for (const v of [port, every]) {
    if (typeof v === 'string') {
      io.err(v);
      return 2;
    }
  }
  const env = io.env ?? process.env;
  const given = { assistant: env[TOKEN_ENV.assistant], operator: env[TOKEN_ENV.operator] };
  const assistantToken = given.assistant || `asst-${randomBytes(24).toString('hex')}`;
  const operatorToken = given.operator || `oper-${randomBytes(24).toString('hex')}`;
  const ownDir = flags.dataDir === undefined;
  const dataDir = ownDir ? mkdtempSync(join(tmpdir(), 'vigil-demo-')) : resolve(flags.dataDir!);
  mkdirSync(dataDir, { recursive: true });
  const stopped = io.stopped ?? untilSignal();

  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    const lab = await startLab({ nodes: 3, guests: 4, ...io.labOptions });
    cleanups.push(() => lab.close());
    const { configFile } = writeLabConfig(lab, join(dataDir, 'vigil.yaml'), { logLevel: 'warn' });
    appendFileSync(configFile, DEMO_MONITOR_YAML);
    const config = loadConfig(configFile, {
      ...env,
      [TOKEN_ENV.assistant]: assistantToken,
      [TOKEN_ENV.operator]: operatorToken,
    });
    const logger = createLogger(config.logging.level, secretValues(config), flags.logFormat ?? config.logging.format);
    const clients = createClients(config, logger);
    const core = createCore({ config, logger, clients });
    cleanups.push(() => core.close());
    let daemon;
    try {
      daemon = await startDaemon(core, '127.0.0.1', port as number);
    } catch (err) {
      const why = explainListenError(err, '127.0.0.1', port as number);
      if (why) {
        io.err(why);
        return 1;
      }
      throw err;
    }
    // The same daemon as `vigil serve` (the lab config has no notification destinations, so nothing
    // is sent). A remediation may be verifying for minutes (a node booting); a demo stops promptly,
    // and what is cut short is marked interrupted by the next start over this data dir.
    cleanups.push(async () => {
      if (!(await daemon.stop(STOP_WAIT_MS)))
        io.err(`remediations still running after ${STOP_WAIT_MS / 1000} s; stopping anyway`);
    });
    const { http } = daemon;

    io.out(`dashboard: ${http.url}/`);
    const generated = !given.assistant || !given.operator;
    for (const line of demoBanner({
      url: http.url,
      configFile,
      dataDir,
      assistantToken,
      operatorToken,
      generated,
      labUrl: lab.url,
    }))
      io.out(line);
    if (flags.noChaos) {
      io.out('chaos: off (--no-chaos); break things yourself through the lab control API, e.g.');
      io.out(`  curl -sk -X POST ${lab.url}/_lab/guests/${lab.state.listGuests()[0]?.vmid ?? 100}/crash`);
    } else {
      const chaos = createChaos({
        state: lab.state,
        now: core.deps.now,
        watched: new Map(config.nodes.map((n) => [n.name, n.services])),
        busy: demoBusy(core),
        onStrike: (action) => io.out(`chaos: ${describeChaos(action)}`),
        onHeal: (f) =>
          io.out(
            `chaos: nobody fixed it in ${HEAL_AFTER_MIN} min, so an operator did by hand: ${describeChaos(f.action)}`,
          ),
        healAfterMs: HEAL_AFTER_MIN * 60_000,
      });
      const timer = startChaos(chaos, (every as number) * 1000);
      cleanups.push(() => timer.stop());
      io.out(
        `chaos: one fault every ${every} s (a crashed guest, a failed service, a full disk or a node down), only where vigil can act now; --no-chaos turns it off`,
      );
    }
    // The loop, live in the terminal: what broke, what vigil did about it, and how it ended.
    const unsubscribe = core.bus.subscribe((event) => {
      const line = formatDemoEvent(event);
      if (line) io.out(line);
    });
    cleanups.push(() => unsubscribe());
    io.out('demo running; Ctrl-C stops it');
    await stopped;
    return 0;
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        io.err(`while stopping: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

const SHOWN_PREFIXES = ['incident.', 'remediation.', 'approval.', 'killswitch.', 'autonomy.', 'notification.'];

/** One terminal line for an event worth showing in the demo; undefined for routine tool traffic. */
export function formatDemoEvent(event: VigilEvent): string | undefined {
  if (!SHOWN_PREFIXES.some((prefix) => event.type.startsWith(prefix)) && event.type !== 'tool.blocked')
    return undefined;
  const time = new Date(event.at).toISOString().slice(11, 19);
  // One terminal line per event: a multi-line message (a cleanup report) is joined with "; ".
  const message = event.message.replace(/\s*\n\s*/g, '; ');
  return `${time} ${event.type.padEnd(21)} ${event.title}${message && message !== event.title ? ` — ${message}` : ''}`;
}
