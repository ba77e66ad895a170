/**
 * The commands of the vigil CLI as data: one entry per command with its arguments and options.
 * The same table drives parsing (`parseCommandLine`), the general usage and each command's own
 * help, so an option cannot be accepted without being documented, or documented without being
 * accepted.
 */
import { parseArgs } from 'node:util';

export interface OptionSpec {
  name: string;
  type: 'string' | 'boolean';
  /** Placeholder for the value in help, e.g. `N` or `autonomy|all`. */
  value?: string;
  help: string;
}

export interface CommandSpec {
  name: string;
  /** Positional arguments as shown in help, e.g. `on|off` or `ID`. */
  args?: string;
  /** How many positionals the command takes. */
  positionals: { min: number; max: number };
  summary: string;
  options: readonly OptionSpec[];
}

/** A mistake on the command line: one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const CONFIG: OptionSpec = {
  name: 'config',
  type: 'string',
  value: 'FILE',
  help: 'the config file (default: $VIGIL_CONFIG, then ./vigil.yaml)',
};
const LOG_FORMAT: OptionSpec = {
  name: 'log-format',
  type: 'string',
  value: 'auto|pretty|json',
  help: 'log lines on stderr: readable on a terminal, JSON otherwise (auto, the default; config logging.format)',
};
const HELP: OptionSpec = { name: 'help', type: 'boolean', help: "show this command's help" };

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'init',
    positionals: { min: 0, max: 0 },
    summary: 'write a commented example config (never overwrites an existing file)',
    options: [CONFIG],
  },
  {
    name: 'serve',
    positionals: { min: 0, max: 0 },
    summary: 'run the daemon: MCP over Streamable HTTP at /mcp, operator API, dashboard, /events, monitor',
    options: [
      { name: 'host', type: 'string', value: 'H', help: 'address to bind (default: server.host, 127.0.0.1)' },
      {
        name: 'port',
        type: 'string',
        value: 'N',
        help: 'port to listen on, 0 picks a free one (default: server.port)',
      },
      CONFIG,
      LOG_FORMAT,
    ],
  },
  {
    name: 'mcp',
    positionals: { min: 0, max: 0 },
    summary: "serve MCP over stdio for desktop assistants (shares the daemon's database)",
    options: [CONFIG, LOG_FORMAT],
  },
  {
    name: 'status',
    positionals: { min: 0, max: 0 },
    summary: "kill switch, autonomy level, pending approvals and the daemon's monitor",
    options: [CONFIG],
  },
  {
    name: 'killswitch',
    args: 'on|off',
    positionals: { min: 1, max: 1 },
    summary: 'engage or release the kill switch (releasing asks for confirmation)',
    options: [
      {
        name: 'scope',
        type: 'string',
        value: 'autonomy|all',
        help: 'autonomy: the monitor stops acting; all: no yellow or red call from anyone',
      },
      { name: 'reason', type: 'string', value: 'TEXT', help: 'why, recorded with the switch' },
      { name: 'yes', type: 'boolean', help: 'release without asking' },
      CONFIG,
    ],
  },
  {
    name: 'approve',
    args: 'ID',
    positionals: { min: 1, max: 1 },
    summary: 'approve a pending approval (operator); ID looks like apr_…',
    options: [CONFIG],
  },
  {
    name: 'deny',
    args: 'ID',
    positionals: { min: 1, max: 1 },
    summary: 'deny a pending approval (operator); ID looks like apr_…',
    options: [CONFIG],
  },
  {
    name: 'audit',
    args: 'verify',
    positionals: { min: 1, max: 1 },
    summary: "check the audit log's hash chain (exit 1 if broken, naming the first bad row)",
    options: [CONFIG],
  },
  {
    name: 'db',
    args: 'migrate',
    positionals: { min: 1, max: 1 },
    summary: 'copy the SQLite database into an empty PostgreSQL database and verify its audit chain there',
    options: [
      {
        name: 'to',
        type: 'string',
        value: 'postgres://USER:PASSWORD@HOST/DB',
        help: 'the empty target database (its password is never printed)',
      },
      CONFIG,
    ],
  },
  {
    name: 'check',
    positionals: { min: 0, max: 0 },
    summary: "test connectivity to Proxmox, every node's SSH, WoL settings and HTTP checks, with remedies",
    options: [CONFIG],
  },
  {
    name: 'once',
    positionals: { min: 0, max: 0 },
    summary: 'one monitor cycle by hand: per problem what it found, what it did or why not, and what next',
    options: [
      { name: 'dry-run', type: 'boolean', help: 'say what would be done; write and change nothing' },
      CONFIG,
      LOG_FORMAT,
    ],
  },
  {
    name: 'lab',
    positionals: { min: 0, max: 0 },
    summary: 'run the simulated homelab in the foreground (first line: "lab: URL")',
    options: [
      { name: 'nodes', type: 'string', value: 'N', help: 'number of nodes (default 3)' },
      { name: 'guests', type: 'string', value: 'M', help: 'guests per node (default 4)' },
      { name: 'write-config', type: 'string', value: 'FILE', help: 'write a vigil config pointing at the lab' },
    ],
  },
  {
    name: 'demo',
    positionals: { min: 0, max: 0 },
    summary: 'the lab plus the daemon over it, with chaos: prints the dashboard URL, MCP endpoint and tokens',
    options: [
      { name: 'port', type: 'string', value: 'N', help: 'dashboard and MCP port, 0 picks a free one (default 8377)' },
      { name: 'no-chaos', type: 'boolean', help: 'break nothing; use the lab control API yourself' },
      { name: 'chaos-every', type: 'string', value: 'SECONDS', help: 'seconds between faults (default 20)' },
      { name: 'data-dir', type: 'string', value: 'DIR', help: 'keep config and database here (default: a temp dir)' },
      LOG_FORMAT,
    ],
  },
  {
    name: 'help',
    args: '[COMMAND]',
    positionals: { min: 0, max: 1 },
    summary: 'the general usage, or one command with its options',
    options: [],
  },
];

/** The command line, understood. */
export type CommandLine =
  | { kind: 'version' }
  | { kind: 'help'; command?: CommandSpec }
  | {
      kind: 'run';
      command: CommandSpec;
      positionals: string[];
      values: Record<string, string | boolean | undefined>;
    };

const commandNamed = (name: string) => COMMANDS.find((c) => c.name === name);

function unknownCommand(name: string): UsageError {
  return new UsageError(`unknown command "${name}"; run "vigil help" for the list of commands`);
}

/**
 * Parses `argv` (without node and the script) against the table. `--version` and `--help`
 * anywhere win; otherwise every option must belong to the command, with a value exactly when its
 * type is string. Throws UsageError with one line naming what is wrong and where to look.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const { tokens } = parseArgs({ args: [...argv], strict: false, allowPositionals: true, tokens: true });
  const positionals = tokens.flatMap((t) => (t.kind === 'positional' ? [t.value] : []));
  const options = tokens.flatMap((t) => (t.kind === 'option' ? [t] : []));
  const [name, ...rest] = positionals;
  const command = name === undefined ? undefined : commandNamed(name);
  if (options.some((o) => o.name === 'version') && command === undefined && name === undefined)
    return { kind: 'version' };
  // `-h` is the short form; `--h` is an unknown long option, not help.
  const wantsHelp = options.some((o) => o.rawName === '--help' || o.rawName === '-h');
  if (name === undefined) {
    if (wantsHelp) return { kind: 'help' };
    const first = options[0];
    if (first) throw new UsageError(`unknown option "${first.rawName}"; run "vigil help" for the list of commands`);
    return { kind: 'help' };
  }
  if (!command) throw unknownCommand(name);
  if (wantsHelp) return { kind: 'help', command };
  if (command.name === 'help') {
    if (rest.length > 1) throw new UsageError('help: expected at most one command name');
    if (rest[0] === undefined) return { kind: 'help' };
    const target = commandNamed(rest[0]);
    if (!target) throw unknownCommand(rest[0]);
    return { kind: 'help', command: target };
  }

  const values: Record<string, string | boolean | undefined> = {};
  const see = `run "vigil help ${command.name}" for its options`;
  for (const o of options) {
    const spec = command.options.find((s) => s.name === o.name);
    if (!spec) throw new UsageError(`${command.name}: unknown option "${o.rawName}"; ${see}`);
    if (spec.type === 'boolean') {
      if (o.value !== undefined) throw new UsageError(`${command.name}: ${o.rawName} takes no value; ${see}`);
      values[spec.name] = true;
    } else {
      // Without an inline value, parseArgs (non-strict) leaves the next argument a positional.
      const value = o.value ?? takeNext(tokens, o.index);
      if (value === undefined)
        throw new UsageError(`${command.name}: ${o.rawName} needs a value (${spec.value ?? 'VALUE'}); ${see}`);
      values[spec.name] = value;
    }
  }
  const args = positionalsAfterValues(tokens, command).slice(1);
  if (args.length < command.positionals.min || args.length > command.positionals.max) {
    const expected = command.args ? `expected ${command.args}` : 'takes no arguments';
    throw new UsageError(`${command.name}: ${expected}, got ${args.length ? `"${args.join(' ')}"` : 'none'}; ${see}`);
  }
  return { kind: 'run', command, positionals: args, values };
}

type Token = ReturnType<typeof parseArgs>['tokens'] extends (infer T)[] | undefined ? T : never;

/** The positional right after the option at `index`, when it is not itself an option. */
function takeNext(tokens: readonly Token[], index: number): string | undefined {
  const next = tokens.find((t) => t.index === index + 1);
  return next?.kind === 'positional' ? next.value : undefined;
}

/** Positionals that are not the values of string options written as `--opt value`. */
function positionalsAfterValues(tokens: readonly Token[], command: CommandSpec): string[] {
  const consumed = new Set<number>();
  for (const t of tokens) {
    if (t.kind !== 'option' || t.value !== undefined) continue;
    if (command.options.find((s) => s.name === t.name)?.type === 'string') consumed.add(t.index + 1);
  }
  return tokens.flatMap((t) => (t.kind === 'positional' && !consumed.has(t.index) ? [t.value] : []));
}

const synopsis = (c: CommandSpec) => `${c.name}${c.args ? ` ${c.args}` : ''}`;

/** The general usage: every command with its one-line summary. */
export function usageText(): string {
  const width = Math.max(...COMMANDS.map((c) => synopsis(c).length)) + 2;
  return [
    'usage: vigil <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${synopsis(c).padEnd(width)}${c.summary}`),
    '',
    'vigil help COMMAND (or vigil COMMAND --help) shows its options; vigil --version prints the version.',
  ].join('\n');
}

/** One command's help: synopsis, summary and every option it accepts. */
export function commandHelp(c: CommandSpec): string {
  const opts = [...c.options, HELP];
  const label = (o: OptionSpec) => `--${o.name}${o.value ? ` ${o.value}` : ''}`;
  const width = Math.max(...opts.map((o) => label(o).length)) + 2;
  return [
    `usage: vigil ${synopsis(c)}${c.options.length ? ' [options]' : ''}`,
    '',
    c.summary,
    '',
    'options:',
    ...opts.map((o) => `  ${label(o).padEnd(width)}${o.help}`),
  ].join('\n');
}
