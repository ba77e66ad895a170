/**
 * What the open-loop, rest-memory and many-sessions benchmarks read from Linux /proc: CPU time and
 * resident memory of one process. No imports from src/, so the benchmarks can measure any build
 * (`--dist DIR`) without loading the working tree's code.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

/** One reading of a process: CPU ticks (user + system) and resident memory now and at its peak. */
export interface ProcSample {
  cpuTicks: number;
  rssBytes: number;
  peakRssBytes: number;
}

/**
 * utime + stime (fields 14 and 15) of a /proc/<pid>/stat line, in clock ticks. The command name
 * (field 2) may hold spaces and parentheses, so fields are counted from the last ')'.
 */
export function parseStatTicks(stat: string): number {
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new Error('not a /proc/<pid>/stat line: no ")" after the command name');
  const fields = stat.slice(close + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error('not a /proc/<pid>/stat line: utime/stime are not numbers');
  return utime + stime;
}

/** A `Name: value kB` line of /proc/<pid>/status, in bytes (0 when absent). */
export function parseStatusKb(status: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** Reads a process's CPU ticks and memory; null when it is gone (or there is no /proc). */
export function sample(pid: number | undefined | 'self'): ProcSample | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return {
      cpuTicks: parseStatTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')),
      rssBytes: parseStatusKb(status, 'VmRSS'),
      peakRssBytes: parseStatusKb(status, 'VmHWM'),
    };
  } catch {
    return null;
  }
}

/** Clock ticks per second (USER_HZ); 100 on every common Linux when getconf is missing. */
export function ticksPerSecond(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/** CPU microseconds per call from two samples; NaN without calls. */
export function cpuMicrosPerCall(before: ProcSample, after: ProcSample, calls: number, hz: number): number {
  if (calls <= 0) return Number.NaN;
  return (((after.cpuTicks - before.cpuTicks) / hz) * 1e6) / calls;
}

/** `taskset -c CPU` before a command when there are two or more CPUs and taskset exists; else nothing. */
export function pinned(cpu: number, command: string[]): string[] {
  if (cpus().length < 2) return command;
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
  } catch {
    return command;
  }
  return ['taskset', '-c', String(cpu), ...command];
}

/** The 1/5/15-minute load averages, for the lines that say how busy the machine was. */
export function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

/** Megabytes with one decimal. */
export function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

/** The median of a few numbers (the lower middle for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

/** A number with thousands separators and `digits` decimals. */
export function num(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
