/**
 * What a simulated node answers over SSH. Lines are recognized with vigil's own command builders
 * (`recognizeCommand`), so the lab answers exactly what vigil sends and refuses anything else
 * with exit 127, like a shell that does not know the command.
 */
import { recognizeCommand, type CommandSpec } from '../clients/commands/index.js';
import { RUNAWAY_LOG, type LabState, type ServiceState } from './state.js';

/** What one exec returns. */
export interface LabExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const ok = (stdout: string, stderr = ''): LabExecResult => ({ stdout, stderr, exitCode: 0 });
const refuse = (line: string): LabExecResult => ({
  stdout: '',
  stderr: `vigil lab: command not simulated: ${line.slice(0, 200)}\n`,
  exitCode: 127,
});

const SIZE_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

function sizeToBytes(size: string): number {
  const m = /^(\d+)([KMGT]?)$/.exec(size);
  return m ? Number(m[1]) * (SIZE_UNITS[m[2] ?? ''] ?? 1) : 0;
}

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

function journalStamp(ms: number, host: string): string {
  const d = new Date(ms);
  const mon = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  return `${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${clock(ms)} ${host}`;
}

function subState(s: ServiceState | undefined): string {
  return s === 'active' ? 'running' : s === 'failed' ? 'failed' : 'dead';
}

/** Load averages derived from the node's running guests: deterministic and plausible. */
function loads(state: LabState, node: string): [number, number, number] {
  const running = state.listGuests().filter((g) => g.node === node && g.status === 'running').length;
  const base = 0.15 + running * 0.35;
  return [base, base * 0.9, base * 0.8].map((v) => Math.round(v * 100) / 100) as [number, number, number];
}

function uptime(state: LabState, node: string): string {
  const n = state.getNode(node);
  const secs = n?.startedAt ? Math.floor((state.now() - n.startedAt) / 1000) : 0;
  const days = Math.floor(secs / 86_400);
  const hm = `${Math.floor((secs % 86_400) / 3600)}:${String(Math.floor((secs % 3600) / 60)).padStart(2, '0')}`;
  const up = days > 0 ? `${days} day${days === 1 ? '' : 's'},  ${hm}` : hm;
  const [a, b, c] = loads(state, node).map((v) => v.toFixed(2));
  return ` ${clock(state.now())} up ${up},  1 user,  load average: ${a}, ${b}, ${c}\n`;
}

function df(state: LabState, node: string): string {
  const { disk } = state.usage(node);
  const avail = Math.max(0, disk.total - disk.used);
  // df rounds the percentage up.
  const pct = Math.ceil((disk.used / disk.total) * 100);
  const rows = [
    'Filesystem              1-blocks         Used    Available Capacity Mounted on',
    `udev                  8300000000            0   8300000000       0% /dev`,
    `/dev/mapper/pve-root ${disk.total} ${disk.used} ${avail} ${pct}% /`,
    `tmpfs                 1700000000      1200000   1698800000       1% /run`,
  ];
  return `${rows.join('\n')}\n`;
}

function free(state: LabState, node: string): string {
  const { memory } = state.usage(node);
  const cache = Math.round((memory.total - memory.used) * 0.3);
  const freeB = memory.total - memory.used - cache;
  return [
    '               total        used        free      shared  buff/cache   available',
    `Mem:     ${memory.total} ${memory.used} ${freeB} 52428800 ${cache} ${memory.total - memory.used}`,
    'Swap:              0           0           0',
    '',
  ].join('\n');
}

function journal(state: LabState, node: string, unit: string, lines: number): string {
  const s = state.serviceState(node, unit);
  if (!s) return '-- No entries --\n';
  const t = state.now();
  const entries = [
    `${journalStamp(t - 3_600_000, node)} systemd[1]: Starting ${unit}...`,
    `${journalStamp(t - 3_599_000, node)} systemd[1]: Started ${unit}.`,
  ];
  if (s === 'failed') {
    entries.push(
      `${journalStamp(t - 60_000, node)} systemd[1]: ${unit}: Main process exited, code=exited, status=1/FAILURE`,
      `${journalStamp(t - 60_000, node)} systemd[1]: ${unit}: Failed with result 'exit-code'.`,
    );
  } else if (s === 'inactive') {
    entries.push(`${journalStamp(t - 60_000, node)} systemd[1]: Stopped ${unit}.`);
  }
  return `${entries.slice(-lines).join('\n')}\n`;
}

/** `journalctl [-u UNIT] -n N --since=-Mmin -o short-iso`: the unit's (or every unit's) entries in that window. */
function journalSince(state: LabState, node: string, unit: string | undefined, lines: number, minutes: number): string {
  const t = state.now();
  const units = unit === undefined ? state.listServices(node).map((u) => u.unit) : [unit];
  const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}+0000 ${node}`;
  const entries: [number, string][] = [];
  for (const u of units) {
    const s = state.serviceState(node, u);
    if (!s) continue;
    entries.push([t - 3_600_000, `systemd[1]: Starting ${u}...`], [t - 3_599_000, `systemd[1]: Started ${u}.`]);
    if (s === 'failed')
      entries.push(
        [t - 60_000, `systemd[1]: ${u}: Main process exited, code=exited, status=1/FAILURE`],
        [t - 60_000, `systemd[1]: ${u}: Failed with result 'exit-code'.`],
      );
    else if (s === 'inactive') entries.push([t - 60_000, `systemd[1]: Stopped ${u}.`]);
  }
  const shown = entries
    .filter(([ms]) => ms >= t - minutes * 60_000)
    .sort((a, b) => a[0] - b[0])
    .slice(-lines);
  return shown.length ? `${shown.map(([ms, text]) => `${iso(ms)} ${text}`).join('\n')}\n` : '-- No entries --\n';
}

function top(state: LabState, node: string, count: number): string {
  const rows: [number, string, number, number][] = state
    .listGuests()
    .filter((g) => g.node === node && g.status === 'running')
    .map((g, i) => [
      2000 + g.vmid,
      g.type === 'qemu' ? 'kvm' : 'lxc-start',
      30 - i * 4,
      (g.mem / (state.usage(node).memory.total || 1)) * 100,
    ]);
  rows.push([1187, 'pvestatd', 1.2, 0.6], [1203, 'pveproxy worker', 0.4, 0.8], [1, 'systemd', 0, 0.1]);
  rows.sort((a, b) => b[2] - a[2]);
  const body = rows
    .slice(0, count)
    .map(
      ([pid, comm, cpu, mem]) =>
        `${String(pid).padStart(7)} ${comm.padEnd(15)} ${cpu.toFixed(1).padStart(4)} ${mem.toFixed(1).padStart(4)}`,
    );
  return `${['    PID COMMAND         %CPU %MEM', ...body].join('\n')}\n`;
}

function showService(state: LabState, node: string, unit: string): string {
  const s = state.serviceState(node, unit);
  return [
    `ActiveState=${s ?? 'inactive'}`,
    `SubState=${subState(s)}`,
    `LoadState=${s ? 'loaded' : 'not-found'}`,
    `UnitFileState=${s ? 'enabled' : ''}`,
    `MainPID=${s === 'active' ? 4000 + unit.length : 0}`,
    'NRestarts=0',
    '',
  ].join('\n');
}

function status(state: LabState, node: string, unit: string): LabExecResult {
  const s = state.serviceState(node, unit);
  if (!s) return { stdout: '', stderr: `Unit ${unit} could not be found.\n`, exitCode: 4 };
  const text = [
    `${s === 'active' ? '●' : '×'} ${unit}`,
    `     Loaded: loaded (/lib/systemd/system/${unit}; enabled; preset: enabled)`,
    `     Active: ${s} (${subState(s)})`,
    '',
    journal(state, node, unit, 5),
  ].join('\n');
  return { stdout: text, stderr: '', exitCode: s === 'active' ? 0 : 3 };
}

function logDirExists(state: LabState, node: string, dir: string): boolean {
  return ['/var/log', '/var/log/app'].includes(dir) || state.logFiles(node).some((f) => f.path.startsWith(`${dir}/`));
}

/**
 * gzip ratios: ordinary text logs shrink about tenfold; the runaway log chaos grows repeats the
 * same lines, which gzip shrinks about a hundredfold (so its copy fits beside a nearly full disk).
 */
const compressedSize = (f: { path: string; sizeBytes: number }) =>
  Math.ceil(f.sizeBytes / (f.path === RUNAWAY_LOG ? 100 : 10));

/** `truncate_large_logs` on the simulated files: the same selection, copies, refusals and records as the script. */
function truncateLogs(
  state: LabState,
  node: string,
  spec: Extract<CommandSpec, { kind: 'truncate_large_logs' }>,
): LabExecResult {
  const stamp = new Date(state.now())
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const files = state
    .logFiles(node)
    .filter((f) => f.path.startsWith(`${spec.dir}/`) && f.path.endsWith('.log') && f.sizeBytes > spec.minBytes);
  let stdout = '';
  let stderr = '';
  for (const f of files) {
    if (!spec.truncate) {
      stdout += `${f.sizeBytes} 0 ${f.path}\0`;
      continue;
    }
    const gz = `${f.path}.${stamp}.gz`;
    const copy = compressedSize(f);
    const { disk } = state.usage(node);
    if (state.logFiles(node).some((x) => x.path === gz)) stderr += `skipped ${f.path}: ${gz} exists\n`;
    else if (disk.used + copy > disk.total) stderr += `skipped ${f.path}: no room for a compressed copy\n`;
    else {
      state.addLogFile(node, { path: gz, sizeBytes: copy, ageDays: 0 });
      state.truncateLogFile(node, f.path);
      stdout += `${f.sizeBytes} ${copy} ${f.path}\0`;
    }
  }
  return { stdout, stderr, exitCode: stderr ? 1 : 0 };
}

function answerSpec(state: LabState, node: string, spec: CommandSpec, line: string): LabExecResult {
  switch (spec.kind) {
    case 'uptime':
      return ok(uptime(state, node));
    case 'df':
      return ok(df(state, node));
    case 'free':
      return ok(free(state, node));
    case 'journal':
      return ok(journal(state, node, spec.unit, spec.lines));
    case 'journal_since':
      return ok(journalSince(state, node, spec.unit, spec.lines, spec.sinceMinutes));
    case 'status':
      return status(state, node, spec.unit);
    case 'top':
      return ok(top(state, node, spec.count));
    case 'is_active': {
      const s = state.serviceState(node, spec.unit);
      return { stdout: `${s ?? 'inactive'}\n`, stderr: '', exitCode: s === 'active' ? 0 : s ? 3 : 4 };
    }
    case 'show':
      return ok(showService(state, node, spec.unit));
    case 'restart':
      if (!state.serviceState(node, spec.unit)) {
        return { stdout: '', stderr: `Failed to restart ${spec.unit}: Unit ${spec.unit} not found.\n`, exitCode: 5 };
      }
      state.setServiceState(node, spec.unit, 'active');
      return ok('');
    case 'vacuum_journal': {
      const freed = state.vacuumJournal(node, sizeToBytes(spec.size));
      return ok('', `Vacuuming done, freed ${freed}B of archived journals from /var/log/journal.\n`);
    }
    case 'clean_packages':
      state.cleanPackageCache(node);
      return ok('');
    case 'old_logs': {
      if (!logDirExists(state, node, spec.dir)) {
        return { stdout: '', stderr: `find: '${spec.dir}': No such file or directory\n`, exitCode: 1 };
      }
      // find -mtime +N matches files whose age in whole days is greater than N.
      const old = state.logFiles(node).filter((f) => f.path.startsWith(`${spec.dir}/`) && f.ageDays > spec.maxAgeDays);
      if (spec.delete)
        state.removeLogFiles(
          node,
          old.map((f) => f.path),
        );
      return ok(old.map((f) => `${f.sizeBytes} ${f.path}\0`).join(''));
    }
    case 'truncate_large_logs':
      if (!logDirExists(state, node, spec.dir)) {
        return { stdout: '', stderr: `find: '${spec.dir}': No such file or directory\n`, exitCode: 1 };
      }
      return truncateLogs(state, node, spec);
    case 'measure':
      // du exits 1 because one of the measured directories does not exist, as on a real host.
      return spec.target === 'journal'
        ? { stdout: `${state.journalBytes(node)}\t/var/log/journal\n`, stderr: '', exitCode: 1 }
        : ok(`${state.packageCacheBytes(node)}\t/var/cache/apt/archives\n`);
    case 'reboot':
      state.setNodeOnline(node, false);
      state.schedule(state.bootMs, () => state.setNodeOnline(node, true));
      return ok('');
    case 'poweroff':
      state.setNodeOnline(node, false);
      return ok('');
    case 'run': {
      // Arbitrary commands are not simulated, except the fixed ones and `hostname`.
      if (spec.text.trim() === 'hostname') return ok(`${node}\n`);
      const inner = recognizeCommand(spec.text);
      return inner && inner.spec.kind !== 'run' ? answerSpec(state, node, inner.spec, spec.text) : refuse(line);
    }
  }
}

/** Answers one exec line on `node` from the lab state. */
export function answerLabCommand(state: LabState, node: string, line: string): LabExecResult {
  const recognized = recognizeCommand(line);
  if (!recognized) return refuse(line);
  return answerSpec(state, node, recognized.spec, line);
}
