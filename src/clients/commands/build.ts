/**
 * Remote commands, built only from validated parts. A `RemoteCommand` cannot be made from a
 * caller's string: `buildCommand` validates every variable part and renders it through
 * `shellQuote`; everything else in the line is fixed text written here.
 */
import { shellQuote } from './quote.js';
import { validateAllowedPath, validateCommandText, validateInt, validateUnit, validateVacuumSize } from './validate.js';

/** Properties `systemctl show` is asked for (and the lab answers). */
export const SHOW_PROPERTIES = [
  'ActiveState',
  'SubState',
  'LoadState',
  'UnitFileState',
  'MainPID',
  'NRestarts',
] as const;

/** Directories measured before and after a journal vacuum / package-cache clean. */
export const MEASURE_DIRS = {
  journal: ['/var/log/journal', '/run/log/journal'],
  package_cache: ['/var/cache/apt/archives'],
} as const;
export type MeasureTarget = keyof typeof MEASURE_DIRS;

/** Bounds on counts that callers choose. */
export const LIMITS = {
  journalSinceMinutes: 10_080,
  journalLines: 2000,
  topProcesses: 100,
  maxAgeDays: 3650,
  truncateMinBytes: 2 ** 50,
} as const;

/**
 * Per batch of files find hands over (as arguments: no name is ever parsed, split or spliced):
 * $1 `truncate` or `list`, $2 a UTC stamp, then the files. Each file gets a compressed copy
 * FILE.<stamp>.gz first and is then truncated in place (`: >`), so a process writing it keeps its
 * handle and goes on at offset 0 (lines written between the copy and the truncation are lost, as
 * with logrotate's copytruncate). A copy that cannot be written — the disk is full, or a copy of
 * that name exists — leaves the file untouched and is reported on stderr (exit 1).
 * Out: NUL-terminated "bytes-before copy-bytes path" records; copy-bytes is 0 when listing.
 */
const TRUNCATE_EACH = [
  'mode=$1; stamp=$2; shift 2; rc=0',
  'for f in "$@"; do',
  'size=$(stat -c %s -- "$f") || { rc=1; continue; }',
  'if [ "$mode" = list ]; then printf "%s 0 %s\\0" "$size" "$f"; continue; fi',
  'gz="$f.$stamp.gz"',
  'if [ -e "$gz" ]; then echo "skipped $f: $gz exists" >&2; rc=1; continue; fi',
  'if ! gzip -c -- "$f" > "$gz"; then rm -f -- "$gz"; echo "skipped $f: no room for a compressed copy" >&2; rc=1; continue; fi',
  'kept=$(stat -c %s -- "$gz") && : > "$f" && printf "%s %s %s\\0" "$size" "$kept" "$f" || rc=1',
  'done; exit $rc',
].join('\n');

/**
 * The fixed script of `truncate_large_logs`, run as `sh -c SCRIPT vigil-truncate DIR MIN_BYTES MODE`:
 * the directory and the threshold arrive as positional parameters, never as script text. Regular
 * `*.log` files anywhere under DIR (same filesystem) larger than MIN_BYTES.
 */
export const TRUNCATE_LOGS_SCRIPT =
  'stamp=$(date -u +%Y%m%dT%H%M%SZ); ' +
  `find "$1" -xdev -type f -name '*.log' -size +"$2"c -exec sh -c '${TRUNCATE_EACH}' vigil-truncate-file "$3" "$stamp" {} +`;

/** What one remote command is, before rendering. */
export type CommandSpec =
  | { kind: 'uptime' }
  | { kind: 'df' }
  | { kind: 'free' }
  | { kind: 'journal'; unit: string; lines: number }
  | { kind: 'journal_since'; unit?: string; lines: number; sinceMinutes: number }
  | { kind: 'status'; unit: string }
  | { kind: 'top'; count: number }
  | { kind: 'is_active'; unit: string }
  | { kind: 'show'; unit: string }
  | { kind: 'restart'; unit: string }
  | { kind: 'vacuum_journal'; size: string }
  | { kind: 'clean_packages' }
  | { kind: 'old_logs'; dir: string; allowlist: readonly string[]; maxAgeDays: number; delete: boolean }
  | { kind: 'truncate_large_logs'; dir: string; allowlist: readonly string[]; minBytes: number; truncate: boolean }
  | { kind: 'measure'; target: MeasureTarget }
  | { kind: 'reboot' }
  | { kind: 'poweroff' }
  | { kind: 'run'; text: string };

export type CommandKind = CommandSpec['kind'];

const BRAND: unique symbol = Symbol('RemoteCommand');

/** A rendered, validated remote command. Only `buildCommand` makes these. */
export interface RemoteCommand {
  readonly spec: CommandSpec;
  /** The shell line sent to the host (before the timeout wrapper). */
  readonly line: string;
  /** Whether running it changes the host (callers must `assertMayAct()` first). */
  readonly mutating: boolean;
  readonly [BRAND]: true;
}

const MUTATING: ReadonlySet<CommandKind> = new Set([
  'restart',
  'vacuum_journal',
  'clean_packages',
  'reboot',
  'poweroff',
  'run',
]);

/** Tagged template: fixed text stays as written, every interpolated value is shell-quoted. */
function sh(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += shellQuote(String(v)) + (strings[i + 1] ?? '');
  });
  return out;
}

function render(spec: CommandSpec): string {
  switch (spec.kind) {
    case 'uptime':
      return 'uptime';
    case 'df':
      return 'df -P -B1';
    case 'free':
      return 'free -b';
    case 'journal':
      return sh`journalctl -u ${validateUnit(spec.unit)} -n ${validateInt('lines', spec.lines, 1, LIMITS.journalLines)} --no-pager`;
    case 'journal_since': {
      const lines = validateInt('lines', spec.lines, 1, LIMITS.journalLines);
      const since = validateInt('sinceMinutes', spec.sinceMinutes, 1, LIMITS.journalSinceMinutes);
      return spec.unit === undefined
        ? sh`journalctl -n ${lines} --since=-${since}min --no-pager -o short-iso`
        : sh`journalctl -u ${validateUnit(spec.unit)} -n ${lines} --since=-${since}min --no-pager -o short-iso`;
    }
    case 'status':
      return sh`systemctl status ${validateUnit(spec.unit)} --no-pager`;
    case 'top': {
      const count = validateInt('count', spec.count, 1, LIMITS.topProcesses);
      // +1 keeps the header line that the parser expects.
      return sh`ps -eo pid,comm,%cpu,%mem --sort=-%cpu | head -n ${count + 1}`;
    }
    case 'is_active':
      return sh`systemctl is-active ${validateUnit(spec.unit)}`;
    case 'show':
      return sh`systemctl show ${validateUnit(spec.unit)} -p ${SHOW_PROPERTIES.join(',')} --no-pager`;
    case 'restart':
      return sh`systemctl restart ${validateUnit(spec.unit)}`;
    case 'vacuum_journal':
      return sh`journalctl --vacuum-size=${validateVacuumSize(spec.size)}`;
    case 'clean_packages':
      return 'apt-get clean';
    case 'old_logs': {
      const dir = validateAllowedPath(spec.dir, spec.allowlist);
      const days = validateInt('maxAgeDays', spec.maxAgeDays, 0, LIMITS.maxAgeDays);
      // NUL-terminated "size path" records: exact bytes freed per file, whatever the file names.
      const base = sh`find ${dir} -xdev -type f -name ${'*.log*'} -mtime ${`+${days}`} -printf ${'%s %p\\0'}`;
      return spec.delete ? `${base} -delete` : base;
    }
    case 'truncate_large_logs': {
      const dir = validateAllowedPath(spec.dir, spec.allowlist);
      const min = validateInt('minBytes', spec.minBytes, 1, LIMITS.truncateMinBytes);
      return sh`sh -c ${TRUNCATE_LOGS_SCRIPT} vigil-truncate ${dir} ${min} ${spec.truncate ? 'truncate' : 'list'}`;
    }
    case 'measure':
      return `du -sb -- ${MEASURE_DIRS[spec.target].map((d) => shellQuote(d)).join(' ')} 2>/dev/null`;
    case 'reboot':
      return 'systemctl reboot';
    case 'poweroff':
      return 'systemctl poweroff';
    case 'run':
      // The operator-confirmed text is ONE argument to sh -c; it is the payload, never spliced.
      return sh`sh -c ${validateCommandText(spec.text)}`;
  }
}

/** Validates and renders a command. Throws `CommandValidationError` for an invalid part. */
export function buildCommand(spec: CommandSpec): RemoteCommand {
  const mutating =
    MUTATING.has(spec.kind) ||
    (spec.kind === 'old_logs' && spec.delete) ||
    (spec.kind === 'truncate_large_logs' && spec.truncate);
  return Object.freeze({ spec, line: render(spec), mutating, [BRAND]: true as const });
}

/** Smallest remote timeout: `timeout` needs whole seconds, and 0 would disable it. */
export function remoteTimeoutSeconds(timeoutMs: number): number {
  return Math.max(1, Math.ceil(timeoutMs / 1000));
}

/**
 * Runs on the host around every command: the command under `timeout --signal=KILL` in its own
 * process group, plus a watcher that kills that group when the SSH channel closes (stdin reaches
 * EOF). Signal requests alone are not enough: OpenSSH refuses them for some sessions (root
 * logins among them), and a closed channel does not stop a command that writes nothing.
 * Positional parameters: $1 seconds, $2 the command line.
 */
export const REMOTE_WRAPPER =
  'exec 3<&0; timeout --signal=KILL "$1" sh -c "$2" </dev/null & p=$!; ' +
  '{ read -r _ <&3; kill -KILL -"$p" 2>/dev/null; } & w=$!; ' +
  'wait "$p"; r=$?; kill "$w" 2>/dev/null; exit "$r"';

/** The line actually sent to the host: the command inside `REMOTE_WRAPPER` with its deadline. */
export function wrapWithTimeout(command: RemoteCommand, seconds: number): string {
  return sh`sh -c ${REMOTE_WRAPPER} vigil ${validateInt('timeout seconds', seconds, 1, 86_400)} ${command.line}`;
}
