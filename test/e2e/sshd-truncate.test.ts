// Pins truncate_large_logs against real OpenSSH: oversized *.log files get a gzip copy that decompresses to the original and are truncated in place (same inode), a dry run changes nothing, and hostile directory or file names never run anything.
import { expectEachInert, shellPayloads } from '../helpers/injection.js';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  openSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import {
  buildCommand,
  CommandValidationError,
  parseTruncatedLogs,
  type CommandSpec,
} from '../../src/clients/commands/index.js';
import { createSshPool, type SshPool, type SshTarget } from '../../src/clients/ssh/index.js';
import { sshdAvailable, startSshd, type RunningSshd } from '../helpers/sshd.js';

const available = sshdAvailable();
const MIN = 100_000;
/** Compressible, distinct lines: what logs look like. */
const logText = (tag: string, lines: number) =>
  Array.from({ length: lines }, (_, i) => `${tag} ${i} GET /api/v1/items?id=${i * 7} 200 ${i % 97}ms\n`).join('');

describe.skipIf(!available)('truncate_large_logs against real sshd', () => {
  let sshd: RunningSshd;
  let pool: SshPool;
  let target: SshTarget;
  let logs: string;
  const canary = () => join(sshd.dir, 'canary');
  const exec = (spec: CommandSpec) => pool.exec(target, buildCommand(spec), { timeoutMs: 10_000 });
  const spec = (truncate: boolean, dir = logs): CommandSpec => ({
    kind: 'truncate_large_logs',
    dir,
    allowlist: [logs],
    minBytes: MIN,
    truncate,
  });

  beforeAll(async () => {
    sshd = await startSshd();
    pool = createSshPool({ logger: pino({ level: 'silent' }) });
    target = {
      name: 'pve1',
      host: sshd.host,
      port: sshd.port,
      user: sshd.user,
      privateKeyFile: sshd.privateKeyFile,
      hostKeyFingerprint: sshd.hostKeyFingerprint,
    };
  });
  afterAll(async () => {
    await pool?.close();
    await sshd?.stop();
  });
  beforeEach(() => {
    logs = join(sshd.dir, 'logs');
    rmSync(logs, { recursive: true, force: true });
    mkdirSync(join(logs, 'nested', 'deeper'), { recursive: true });
  });

  it('keeps a gzip copy of each oversized *.log, truncates it in place and reports the bytes freed', async () => {
    const big = join(logs, 'app.log');
    const deep = join(logs, 'nested', 'deeper', 'worker.log');
    const original = logText('app', 4000);
    writeFileSync(big, original);
    writeFileSync(deep, logText('worker', 3000));
    writeFileSync(join(logs, 'small.log'), 'tiny\n');
    writeFileSync(join(logs, 'big.txt'), logText('txt', 4000));
    const inode = statSync(big).ino;
    // A writer holding the file open, as a daemon would.
    const fd = openSync(big, 'a');

    const dry = await exec(spec(false));
    expect(dry.exitCode).toBe(0);
    expect(
      parseTruncatedLogs(dry.stdout)
        .map((f) => [f.path, f.bytes])
        .sort(),
    ).toEqual(
      [
        [big, original.length],
        [deep, statSync(deep).size],
      ].sort(),
    );
    expect(statSync(big).size).toBe(original.length);
    expect(readdirSync(logs).filter((n) => n.endsWith('.gz'))).toEqual([]);

    const done = await exec(spec(true));
    expect(done.exitCode).toBe(0);
    const records = parseTruncatedLogs(done.stdout);
    expect(records.map((f) => f.path).sort()).toEqual([big, deep].sort());
    for (const path of [big, deep]) {
      expect(statSync(path).size).toBe(0);
      const [copy] = readdirSync(join(path, '..')).filter(
        (n) => n.startsWith(`${path.split('/').pop()}.`) && n.endsWith('.gz'),
      );
      expect(copy).toMatch(/^[a-z]+\.log\.\d{8}T\d{6}Z\.gz$/);
      const copyPath = join(path, '..', copy!);
      const r = records.find((f) => f.path === path)!;
      expect(r).toMatchObject({ copyBytes: statSync(copyPath).size, bytes: r.sizeBefore - statSync(copyPath).size });
      if (path === big) expect(gunzipSync(readFileSync(copyPath)).toString()).toBe(original);
    }
    expect(statSync(big).ino).toBe(inode);
    writeSync(fd, 'after\n');
    closeSync(fd);
    expect(readFileSync(big, 'utf8')).toBe('after\n');
    expect(readFileSync(join(logs, 'small.log'), 'utf8')).toBe('tiny\n');
    expect(statSync(join(logs, 'big.txt')).size).toBeGreaterThan(MIN);
  });

  it('truncates files with hostile names as plain files; the canary never appears', async () => {
    // A file name cannot hold "/", so these payloads touch a relative name: checked wherever a shell could have run.
    const mark = `vigil-canary-${process.pid}`;
    const names = [
      `; touch ${mark}`,
      `$(touch ${mark})`,
      `\`touch ${mark}\``,
      `x\ntouch ${mark}`,
      `' ; touch ${mark} ; '`,
      `" ; touch ${mark} ; "`,
      `-rf ${mark}`,
    ].map((n) => `${n}.log`);
    for (const n of names) writeFileSync(join(logs, n), logText(n, 3000));
    const r = await exec(spec(true));
    expect(r.exitCode).toBe(0);
    expect(
      parseTruncatedLogs(r.stdout)
        .map((f) => f.path)
        .sort(),
    ).toEqual(names.map((n) => join(logs, n)).sort());
    for (const n of names) expect(statSync(join(logs, n)).size).toBe(0);
    for (const dir of [userInfo().homedir, logs, sshd.dir, process.cwd(), '/tmp'])
      expect(existsSync(join(dir, mark)), dir).toBe(false);
  });

  it('rejects or passes hostile directories inertly; the canary never appears', async () => {
    const specs = shellPayloads(canary()).flatMap((p) => [
      spec(true, `${logs}/${p}`),
      spec(true, p),
      spec(false, `${logs}/${p}`),
    ]);
    const ran = await expectEachInert(specs, (cmd) => pool.exec(target, cmd, { timeoutMs: 10_000 }), canary());
    expect(ran).toBeGreaterThan(0);
    for (const minBytes of [0, -1, 1.5, Number.NaN]) {
      expect(() =>
        buildCommand({ kind: 'truncate_large_logs', dir: logs, allowlist: [logs], minBytes, truncate: true }),
      ).toThrow(CommandValidationError);
    }
  });
});
