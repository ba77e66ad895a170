#!/usr/bin/env node
/**
 * The vigil command line. Wiring only: config → logger → db → clients → safety → mcp → http.
 * Exit codes: 0 ok, 1 failure (e.g. broken audit chain, refused action), 2 bad usage or config.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';
import { createLogger } from './logger.js';
import { UsageError, commandHelp, parseCommandLine, usageText } from './commands/table.js';
import { fail, logFormatOf, openConfig, out, str, type Values } from './commands/cli-kit.js';
import { mcpStdio, serve } from './commands/serve.js';
import { audit, decide, init, killswitch, once, status } from './commands/operator.js';

/** The version in package.json (one directory above both src/ and dist/). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
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
