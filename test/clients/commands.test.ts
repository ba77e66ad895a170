// Pins remote-command building: every variable part validated and single-quoted, lines recognized back exactly, outputs parsed.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  buildCommand,
  CommandValidationError,
  parseDf,
  parseDu,
  parseFoundFiles,
  parseFree,
  parseSystemctlShow,
  parseTop,
  parseTruncatedLogs,
  parseUptime,
  recognizeCommand,
  shellQuote,
  TRUNCATE_LOGS_SCRIPT,
  splitShellWords,
  validateAllowedPath,
  wrapWithTimeout,
  type CommandSpec,
} from '../../src/clients/commands/index.js';

const ALL_SPECS: CommandSpec[] = [
  { kind: 'uptime' },
  { kind: 'df' },
  { kind: 'free' },
  { kind: 'journal', unit: 'nginx.service', lines: 50 },
  { kind: 'status', unit: 'getty@tty1.service' },
  { kind: 'top', count: 10 },
  { kind: 'is_active', unit: 'pveproxy.service' },
  { kind: 'show', unit: 'nginx.service' },
  { kind: 'restart', unit: 'nginx.service' },
  { kind: 'vacuum_journal', size: '500M' },
  { kind: 'clean_packages' },
  { kind: 'old_logs', dir: '/var/log/app', allowlist: ['/var/log'], maxAgeDays: 14, delete: false },
  { kind: 'old_logs', dir: '/var/log', allowlist: ['/var/log/'], maxAgeDays: 7, delete: true },
  {
    kind: 'truncate_large_logs',
    dir: '/var/log/app',
    allowlist: ['/var/log/app'],
    minBytes: 104_857_600,
    truncate: true,
  },
  { kind: 'truncate_large_logs', dir: '/var/log/app', allowlist: ['/var/log/app'], minBytes: 1, truncate: false },
  { kind: 'measure', target: 'journal' },
  { kind: 'measure', target: 'package_cache' },
  { kind: 'reboot' },
  { kind: 'poweroff' },
  { kind: 'run', text: "echo 'hi' && ls -l /tmp; $(id)" },
];

describe('shellQuote', () => {
  it('round-trips any string through a real sh', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0')),
        (s) => {
          const out = execFileSync('sh', ['-c', `printf %s ${shellQuote(s)}`]).toString('utf8');
          expect(out).toBe(Buffer.from(s, 'utf8').toString('utf8'));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('is inverted by splitShellWords', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string().filter((s) => !s.includes('\0')),
          { maxLength: 5 },
        ),
        (words) => {
          expect(splitShellWords(words.map(shellQuote).join(' '))).toEqual(words);
        },
      ),
    );
  });

  it('refuses NUL bytes', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });
});

describe('buildCommand', () => {
  it('renders fixed text with quoted variable parts', () => {
    expect(buildCommand({ kind: 'journal', unit: 'nginx.service', lines: 20 }).line).toBe(
      "journalctl -u 'nginx.service' -n '20' --no-pager",
    );
    expect(buildCommand({ kind: 'run', text: "echo it's" }).line).toBe(`sh -c 'echo it'\\''s'`);
    expect(buildCommand({ kind: 'restart', unit: 'nginx.service' }).mutating).toBe(true);
    expect(buildCommand({ kind: 'df' }).mutating).toBe(false);
    const logs = { kind: 'old_logs', dir: '/var/log', allowlist: ['/var/log'], maxAgeDays: 7 } as const;
    expect(buildCommand({ ...logs, delete: true }).mutating).toBe(true);
    expect(buildCommand({ ...logs, delete: false }).mutating).toBe(false);
    const big = { kind: 'truncate_large_logs', dir: '/var/log', allowlist: ['/var/log'], minBytes: 1024 } as const;
    expect(buildCommand({ ...big, truncate: true }).mutating).toBe(true);
    expect(buildCommand({ ...big, truncate: false }).mutating).toBe(false);
    // The directory and the threshold are arguments after the fixed script, never part of it.
    expect(buildCommand({ ...big, truncate: true }).line).toBe(
      `sh -c ${shellQuote(TRUNCATE_LOGS_SCRIPT)} vigil-truncate '/var/log' '1024' 'truncate'`,
    );
  });

  it.each([
    'nginx',
    'nginx.service; touch /tmp/x',
    '$(touch /tmp/x).service',
    '`id`.service',
    'a b.service',
    '--help.service',
    "x'.service",
    'nginx.service\n',
    '../x.service',
  ])('rejects unit %j', (unit) => {
    expect(() => buildCommand({ kind: 'restart', unit })).toThrow(CommandValidationError);
  });

  it('bounds counts and sizes', () => {
    expect(() => buildCommand({ kind: 'journal', unit: 'a.service', lines: 0 })).toThrow(/lines/);
    expect(() => buildCommand({ kind: 'journal', unit: 'a.service', lines: 1.5 })).toThrow(/lines/);
    expect(() => buildCommand({ kind: 'top', count: 1000 })).toThrow(/count/);
    expect(() => buildCommand({ kind: 'vacuum_journal', size: '500M; reboot' })).toThrow(/vacuum size/);
    expect(() => buildCommand({ kind: 'run', text: '   ' })).toThrow(/empty/);
  });

  it('only accepts cleanup paths under the allowlist', () => {
    expect(validateAllowedPath('/var/log/nginx/', ['/var/log'])).toBe('/var/log/nginx');
    expect(validateAllowedPath('/var/log', ['/var/log'])).toBe('/var/log');
    expect(() => validateAllowedPath('/var/logs', ['/var/log'])).toThrow(/not under/);
    expect(() => validateAllowedPath('/var/log/../../etc', ['/var/log'])).toThrow(/\.\./);
    expect(() => validateAllowedPath('var/log', ['/var/log'])).toThrow(/absolute/);
    expect(() => validateAllowedPath('/var//log', ['/var/log'])).toThrow(/normalized/);
    expect(() => validateAllowedPath('/', ['/'])).toThrow(/root/);
    expect(() => validateAllowedPath('/etc', [])).toThrow(/not under/);
  });
});

describe('recognizeCommand', () => {
  it.each(ALL_SPECS.map((s) => [s.kind, s] as const))('recognizes %s, bare and wrapped', (_kind, spec) => {
    const cmd = buildCommand(spec);
    const bare = recognizeCommand(cmd.line);
    expect(bare && buildCommand(bare.spec).line).toBe(cmd.line);
    const wrapped = recognizeCommand(wrapWithTimeout(cmd, 7));
    expect(wrapped?.timeoutSeconds).toBe(7);
    expect(wrapped && buildCommand(wrapped.spec).line).toBe(cmd.line);
  });

  it.each([
    'rm -rf /',
    'uptime; touch /tmp/x',
    "systemctl restart 'nginx.service'; id",
    'systemctl restart nginx.service',
    "journalctl -u 'nginx.service' -n '99999' --no-pager",
    "sh -c 'exec 3<&0' vigil '5' 'uptime'",
    "ps -eo pid,comm,%cpu,%mem --sort=-%cpu '|' head -n '11'",
    'du -sb -- /etc 2>/dev/null',
    '"uptime"',
  ])('refuses %j', (line) => {
    expect(recognizeCommand(line)).toBeNull();
  });
});

describe('arbitrary strings through every builder', () => {
  it('are rejected by validation or arrive as exactly one inert word', () => {
    const builders = (v: string): CommandSpec[] => [
      { kind: 'journal', unit: v, lines: 5 },
      { kind: 'status', unit: v },
      { kind: 'is_active', unit: v },
      { kind: 'show', unit: v },
      { kind: 'restart', unit: v },
      { kind: 'vacuum_journal', size: v },
      { kind: 'old_logs', dir: `/var/log/${v}`, allowlist: ['/var/log'], maxAgeDays: 3, delete: true },
      { kind: 'truncate_large_logs', dir: `/var/log/${v}`, allowlist: ['/var/log'], minBytes: 100, truncate: true },
      { kind: 'run', text: v },
    ];
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (v) => {
        for (const spec of builders(v)) {
          let line: string;
          try {
            line = buildCommand(spec).line;
          } catch (e) {
            expect(e).toBeInstanceOf(CommandValidationError);
            continue;
          }
          // Recognized back to the very same spec: the value was one word, nothing leaked out of it.
          expect(recognizeCommand(line)?.spec).toEqual(
            spec.kind === 'old_logs' || spec.kind === 'truncate_large_logs'
              ? { ...spec, dir: spec.dir.replace(/\/+$/, ''), allowlist: [spec.dir.replace(/\/+$/, '')] }
              : spec,
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('parsers', () => {
  it('parses df -P -B1', () => {
    const out = [
      'Filesystem     1-blocks        Used   Available Capacity Mounted on',
      '/dev/sda1   100000000000 80000000000 20000000000      80% /',
      'tmpfs         1000000           0     1000000       0% /run/my dir',
    ].join('\n');
    expect(parseDf(out)).toEqual([
      { filesystem: '/dev/sda1', mount: '/', totalBytes: 1e11, usedBytes: 8e10, availBytes: 2e10, usedPercent: 80 },
      { filesystem: 'tmpfs', mount: '/run/my dir', totalBytes: 1e6, usedBytes: 0, availBytes: 1e6, usedPercent: 0 },
    ]);
  });

  it('parses free -b', () => {
    const out = [
      '               total        used        free      shared  buff/cache   available',
      'Mem:     16000000000  4000000000  8000000000    10000000  4000000000 11000000000',
      'Swap:     2000000000           0  2000000000',
    ].join('\n');
    expect(parseFree(out)).toEqual({
      totalBytes: 16e9,
      usedBytes: 4e9,
      freeBytes: 8e9,
      availableBytes: 11e9,
      swapTotalBytes: 2e9,
      swapUsedBytes: 0,
    });
    expect(() => parseFree('nothing')).toThrow(/Mem/);
  });

  it('parses uptime in both decimal styles', () => {
    expect(parseUptime(' 10:01:02 up 3 days,  2:03,  1 user,  load average: 0.15, 0.10, 0.05\n')).toEqual({
      load1: 0.15,
      load5: 0.1,
      load15: 0.05,
      up: '3 days,  2:03',
    });
    expect(parseUptime('10:01 up 5 min,  2 users,  load averages: 1,50, 2,00, 3,25').load15).toBe(3.25);
  });

  it('parses ps, systemctl show, find and du output', () => {
    expect(
      parseTop(
        '    PID COMMAND         %CPU %MEM\n   1234 kvm              55.2 12.5\n      1 systemd           0.0  0.1\n',
      ),
    ).toEqual([
      { pid: 1234, command: 'kvm', cpuPercent: 55.2, memPercent: 12.5 },
      { pid: 1, command: 'systemd', cpuPercent: 0, memPercent: 0.1 },
    ]);
    expect(
      parseSystemctlShow(
        'ActiveState=failed\nSubState=failed\nLoadState=loaded\nUnitFileState=enabled\nMainPID=0\nNRestarts=2\n',
      ),
    ).toEqual({
      activeState: 'failed',
      subState: 'failed',
      loadState: 'loaded',
      unitFileState: 'enabled',
      mainPid: 0,
      restarts: 2,
    });
    expect(parseFoundFiles('100 /var/log/a.log.1\0' + '20 /var/log/we ird\nname.log\0')).toEqual([
      { bytes: 100, path: '/var/log/a.log.1' },
      { bytes: 20, path: '/var/log/we ird\nname.log' },
    ]);
    expect(parseDu('4096\t/var/log/journal\n')).toEqual([{ bytes: 4096, path: '/var/log/journal' }]);
    expect(parseTruncatedLogs('1000 90 /var/log/app.log\0' + '500 0 /var/log/we ird\nname.log\0')).toEqual([
      { path: '/var/log/app.log', sizeBefore: 1000, copyBytes: 90, bytes: 910 },
      { path: '/var/log/we ird\nname.log', sizeBefore: 500, copyBytes: 0, bytes: 500 },
    ]);
  });
});
