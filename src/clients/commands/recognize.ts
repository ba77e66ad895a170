/**
 * The inverse of the builders, for the lab's simulated SSH nodes: turns a received line back
 * into a `CommandSpec`. A guess is only accepted when re-rendering it with `buildCommand` gives
 * exactly the received line, so the simulator answers precisely what vigil sends and nothing else.
 */
import {
  buildCommand,
  MEASURE_DIRS,
  REMOTE_WRAPPER,
  TRUNCATE_LOGS_SCRIPT,
  wrapWithTimeout,
  type CommandSpec,
  type MeasureTarget,
} from './build.js';
import { splitShellWords } from './quote.js';

/** What a received line asks for: the command and the remote timeout it runs under, if any. */
export interface RecognizedCommand {
  spec: CommandSpec;
  timeoutSeconds?: number;
}

function guess(w: string[]): CommandSpec | null {
  const [a, b, c] = w;
  const n = w.length;
  if (n === 1 && a === 'uptime') return { kind: 'uptime' };
  if (n === 3 && a === 'df') return { kind: 'df' };
  if (n === 2 && a === 'free') return { kind: 'free' };
  if (n === 2 && a === 'apt-get') return { kind: 'clean_packages' };
  if (a === 'journalctl') {
    if (n === 6 && b === '-u') return { kind: 'journal', unit: c ?? '', lines: Number(w[4]) };
    const since = Number(/^--since=-(\d+)min$/.exec(w[n - 4] ?? '')?.[1]);
    if (n === 7 && b === '-n') return { kind: 'journal_since', lines: Number(c), sinceMinutes: since };
    if (n === 9 && b === '-u')
      return { kind: 'journal_since', unit: c ?? '', lines: Number(w[4]), sinceMinutes: since };
    if (n === 2 && b?.startsWith('--vacuum-size=')) return { kind: 'vacuum_journal', size: b.slice(14) };
  }
  if (a === 'systemctl') {
    if (n === 2 && b === 'reboot') return { kind: 'reboot' };
    if (n === 2 && b === 'poweroff') return { kind: 'poweroff' };
    if (n === 4 && b === 'status') return { kind: 'status', unit: c ?? '' };
    if (n === 3 && b === 'is-active') return { kind: 'is_active', unit: c ?? '' };
    if (n === 6 && b === 'show') return { kind: 'show', unit: c ?? '' };
    if (n === 3 && b === 'restart') return { kind: 'restart', unit: c ?? '' };
  }
  if (a === 'ps' && n === 8) return { kind: 'top', count: Number(w[7]) - 1 };
  if (a === 'find' && (n === 11 || n === 12) && b) {
    const days = Number((w[8] ?? '').replace(/^\+/, ''));
    return { kind: 'old_logs', dir: b, allowlist: [b], maxAgeDays: days, delete: n === 12 };
  }
  if (a === 'du') {
    const dirs = w.slice(3, -1).join(' ');
    const target = (Object.keys(MEASURE_DIRS) as MeasureTarget[]).find((t) => MEASURE_DIRS[t].join(' ') === dirs);
    return target ? { kind: 'measure', target } : null;
  }
  if (a === 'sh' && b === '-c' && n === 3 && c !== undefined) return { kind: 'run', text: c };
  if (a === 'sh' && b === '-c' && n === 7 && c === TRUNCATE_LOGS_SCRIPT && w[3] === 'vigil-truncate' && w[4]) {
    return {
      kind: 'truncate_large_logs',
      dir: w[4],
      allowlist: [w[4]],
      minBytes: Number(w[5]),
      truncate: w[6] === 'truncate',
    };
  }
  return null;
}

function recognizeInner(line: string): CommandSpec | null {
  const words = splitShellWords(line);
  if (!words) return null;
  const spec = guess(words);
  if (!spec) return null;
  try {
    return buildCommand(spec).line === line ? spec : null;
  } catch {
    // The guess named an invalid value (bad unit, out-of-range count): not a vigil command.
    return null;
  }
}

/** Recognizes a line vigil's builders produce (with or without the timeout wrapper); else null. */
export function recognizeCommand(line: string): RecognizedCommand | null {
  const words = splitShellWords(line);
  if (!words) return null;
  if (words.length === 6 && words[0] === 'sh' && words[2] === REMOTE_WRAPPER && words[3] === 'vigil') {
    const seconds = Number(words[4]);
    const inner = words[5] ?? '';
    const spec = recognizeInner(inner);
    if (!spec) return null;
    try {
      return wrapWithTimeout(buildCommand(spec), seconds) === line ? { spec, timeoutSeconds: seconds } : null;
    } catch {
      return null;
    }
  }
  const spec = recognizeInner(line);
  return spec ? { spec } : null;
}
