/**
 * Parsers for the output of the fixed commands. Each returns typed values and tolerates the
 * usual variations (extra spaces, locales writing "load averages", missing swap).
 */

/** One mounted filesystem from `df -P -B1`. */
export interface DiskUsage {
  filesystem: string;
  mount: string;
  totalBytes: number;
  usedBytes: number;
  availBytes: number;
  usedPercent: number;
}

/** Parses `df -P -B1`; lines that do not have the POSIX columns are skipped. */
export function parseDf(stdout: string): DiskUsage[] {
  const out: DiskUsage[] = [];
  for (const line of stdout.split('\n').slice(1)) {
    const m = /^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)%\s+(.+)$/.exec(line.trim());
    if (!m) continue;
    out.push({
      filesystem: m[1] as string,
      totalBytes: Number(m[2]),
      usedBytes: Number(m[3]),
      availBytes: Number(m[4]),
      usedPercent: Number(m[5]),
      mount: m[6] as string,
    });
  }
  return out;
}

/** Memory from `free -b`. */
export interface MemoryUsage {
  totalBytes: number;
  usedBytes: number;
  freeBytes: number;
  availableBytes: number;
  swapTotalBytes: number;
  swapUsedBytes: number;
}

/** Parses `free -b`; throws when there is no `Mem:` line. */
export function parseFree(stdout: string): MemoryUsage {
  const row = (label: string): number[] | undefined => {
    const line = stdout.split('\n').find((l) => l.trim().startsWith(label));
    return line?.trim().split(/\s+/).slice(1).map(Number);
  };
  const mem = row('Mem:');
  if (!mem || mem.length < 3) throw new Error('free printed no Mem: line');
  const swap = row('Swap:') ?? [0, 0, 0];
  return {
    totalBytes: mem[0] ?? 0,
    usedBytes: mem[1] ?? 0,
    freeBytes: mem[2] ?? 0,
    // Older procps has no "available" column; free memory is the honest fallback.
    availableBytes: mem[5] ?? mem[2] ?? 0,
    swapTotalBytes: swap[0] ?? 0,
    swapUsedBytes: swap[1] ?? 0,
  };
}

/** Load averages and the uptime text from `uptime`. */
export interface Uptime {
  load1: number;
  load5: number;
  load15: number;
  up: string;
}

/** Parses `uptime`; throws when there are no load averages in it. */
export function parseUptime(stdout: string): Uptime {
  const m = /load averages?:\s*([\d.,]+?),?\s+([\d.,]+?),?\s+([\d.,]+)\s*$/m.exec(stdout);
  if (!m) throw new Error('uptime printed no load averages');
  // Some locales write decimal commas ("0,15"); the separators are ", " so this is unambiguous.
  const num = (s: string | undefined): number => Number((s ?? '').replace(',', '.'));
  const up = /up\s+(.*?),\s+\d+\s+users?/.exec(stdout)?.[1] ?? /up\s+(.*?),\s+load/.exec(stdout)?.[1] ?? '';
  return { load1: num(m[1]), load5: num(m[2]), load15: num(m[3]), up: up.trim() };
}

/** One process row from the top-processes command. */
export interface ProcessRow {
  pid: number;
  command: string;
  cpuPercent: number;
  memPercent: number;
}

/** Parses `ps -eo pid,comm,%cpu,%mem` output (header first). */
export function parseTop(stdout: string): ProcessRow[] {
  const out: ProcessRow[] = [];
  for (const line of stdout.split('\n').slice(1)) {
    // comm may contain spaces; pid is first, the two percentages last.
    const m = /^\s*(\d+)\s+(.+?)\s+([\d.]+)\s+([\d.]+)\s*$/.exec(line);
    if (m) out.push({ pid: Number(m[1]), command: m[2] as string, cpuPercent: Number(m[3]), memPercent: Number(m[4]) });
  }
  return out;
}

/** Unit state from `systemctl show -p ...`. */
export interface ServiceState {
  activeState: string;
  subState: string;
  loadState: string;
  unitFileState: string;
  mainPid: number;
  restarts: number;
}

/** Parses `systemctl show` key=value lines. */
export function parseSystemctlShow(stdout: string): ServiceState {
  const kv = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return {
    activeState: kv.get('ActiveState') ?? 'unknown',
    subState: kv.get('SubState') ?? 'unknown',
    loadState: kv.get('LoadState') ?? 'unknown',
    unitFileState: kv.get('UnitFileState') ?? '',
    mainPid: Number(kv.get('MainPID') ?? 0) || 0,
    restarts: Number(kv.get('NRestarts') ?? 0) || 0,
  };
}

/** A file with its size, from the old-logs `find -printf '%s %p\0'` or from `du -sb`. */
export interface SizedPath {
  path: string;
  bytes: number;
}

/** Parses NUL-terminated "size path" records from the old-logs find. */
export function parseFoundFiles(stdout: string): SizedPath[] {
  const out: SizedPath[] = [];
  for (const rec of stdout.split('\0')) {
    const m = /^(\d+) (.+)$/s.exec(rec);
    if (m) out.push({ bytes: Number(m[1]), path: m[2] as string });
  }
  return out;
}

/** A log file the oversized-logs step truncated (or, listing, would): bytes freed = before − copy. */
export interface TruncatedLog extends SizedPath {
  sizeBefore: number;
  /** Size of the compressed copy kept beside it; 0 when only listed. */
  copyBytes: number;
}

/** Parses NUL-terminated "bytes-before copy-bytes path" records from `truncate_large_logs`. */
export function parseTruncatedLogs(stdout: string): TruncatedLog[] {
  const out: TruncatedLog[] = [];
  for (const rec of stdout.split('\0')) {
    const m = /^(\d+) (\d+) (.+)$/s.exec(rec);
    if (!m) continue;
    const sizeBefore = Number(m[1]);
    const copyBytes = Number(m[2]);
    out.push({ path: m[3] as string, sizeBefore, copyBytes, bytes: Math.max(0, sizeBefore - copyBytes) });
  }
  return out;
}

/** Parses `du -sb` lines ("bytes<TAB>path"); a missing directory just has no line. */
export function parseDu(stdout: string): SizedPath[] {
  const out: SizedPath[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^(\d+)\s+(.+)$/.exec(line.trim());
    if (m) out.push({ bytes: Number(m[1]), path: m[2] as string });
  }
  return out;
}

/** Sum of the sizes. */
export function totalBytes(items: readonly SizedPath[]): number {
  return items.reduce((sum, i) => sum + i.bytes, 0);
}
