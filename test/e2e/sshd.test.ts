// Pins the SSH client against real OpenSSH: exec, killing timeouts, output cap, host-key pinning, auth, reconnect, and inert injection through every builder.
import { expectEachInert, shellPayloads } from '../helpers/injection.js';
import { getEventListeners } from 'node:events';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { utils } from 'ssh2';
import {
  buildCommand,
  parseDf,
  parseFoundFiles,
  parseFree,
  parseUptime,
  type CommandSpec,
} from '../../src/clients/commands/index.js';
import { createSshPool, SshError, type SshPool, type SshTarget } from '../../src/clients/ssh/index.js';
import { sshdAvailable, startSshd, type RunningSshd } from '../helpers/sshd.js';

const available = sshdAvailable();
if (!available) console.warn('skipping sshd e2e tests: /usr/sbin/sshd is not installed (CI installs it)');

describe.skipIf(!available)('ssh client against real sshd', () => {
  let sshd: RunningSshd;
  let pool: SshPool;
  let target: SshTarget;
  const logger = pino({ level: 'silent' });
  const run = (text: string, timeoutMs = 10_000) =>
    pool.exec(target, buildCommand({ kind: 'run', text }), { timeoutMs });

  beforeAll(async () => {
    sshd = await startSshd();
    pool = createSshPool({ logger });
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

  it('runs the fixed diagnostics and parses their output', async () => {
    const up = await pool.exec(target, buildCommand({ kind: 'uptime' }), { timeoutMs: 10_000 });
    expect(up.exitCode).toBe(0);
    expect(parseUptime(up.stdout).load1).toBeGreaterThanOrEqual(0);
    const df = await pool.exec(target, buildCommand({ kind: 'df' }), { timeoutMs: 10_000 });
    expect(parseDf(df.stdout).length).toBeGreaterThan(0);
    const free = await pool.exec(target, buildCommand({ kind: 'free' }), { timeoutMs: 10_000 });
    expect(parseFree(free.stdout).totalBytes).toBeGreaterThan(0);
  });

  it('reports exit codes and stderr', async () => {
    const r = await run('echo out; echo err >&2; exit 3');
    expect(r).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n', truncated: false });
  });

  it('kills the remote command on timeout', async () => {
    const err = await run('sleep 37.25; echo done', 1500).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SshError);
    expect((err as SshError).code).toBe('timeout');
    // The bracket keeps pgrep from matching its own shell's command line.
    let alive = true;
    for (let i = 0; i < 40 && alive; i++) {
      alive = (await run("pgrep -f 'slee[p] 37.25'")).exitCode === 0;
      if (alive) await new Promise((r) => setTimeout(r, 250));
    }
    expect(alive).toBe(false);
  });

  it('kills the remote command when the caller aborts', async () => {
    const ac = new AbortController();
    const p = pool.exec(target, buildCommand({ kind: 'run', text: 'sleep 38.5' }), {
      timeoutMs: 60_000,
      signal: ac.signal,
    });
    await new Promise((r) => setTimeout(r, 300));
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'aborted' });
    let alive = true;
    for (let i = 0; i < 40 && alive; i++) {
      alive = (await run("pgrep -f 'slee[p] 38.5'")).exitCode === 0;
      if (alive) await new Promise((r) => setTimeout(r, 250));
    }
    expect(alive).toBe(false);
  });

  it('leaves no abort listener behind on a signal shared by many commands (the monitor passes its lifetime signal)', async () => {
    const ac = new AbortController();
    for (let i = 0; i < 3; i++) {
      expect(
        (await pool.exec(target, buildCommand({ kind: 'uptime' }), { timeoutMs: 10_000, signal: ac.signal })).exitCode,
      ).toBe(0);
    }
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('a caller that gives up while waiting for a free channel leaves at once and takes no slot from the next one', async () => {
    const flag = join(sshd.dir, `go-${process.pid}`);
    const wait = `while [ ! -e '${flag}' ]; do sleep 0.05; done`;
    // Eight commands fill every channel the pool opens on one connection.
    const busy = Array.from({ length: 8 }, () => run(wait, 60_000));
    const givingUp = Array.from({ length: 8 }, () => new AbortController());
    const abandoned = givingUp.map((ac) =>
      pool.exec(target, buildCommand({ kind: 'uptime' }), { timeoutMs: 60_000, signal: ac.signal }),
    );
    const patient = pool.exec(target, buildCommand({ kind: 'uptime' }), { timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 200));
    for (const ac of givingUp) ac.abort();
    for (const p of abandoned) await expect(p).rejects.toMatchObject({ code: 'aborted' });
    writeFileSync(flag, '');
    for (const b of await Promise.all(busy)) expect(b.exitCode).toBe(0);
    expect((await patient).exitCode).toBe(0);
  });

  it('caps output and marks it truncated', async () => {
    const r = await pool.exec(target, buildCommand({ kind: 'run', text: "head -c 5000000 /dev/zero | tr '\\0' a" }), {
      timeoutMs: 20_000,
      maxOutputBytes: 100_000,
    });
    expect(r.truncated).toBe(true);
    expect(r.stdout.length).toBe(100_000);
    expect(r.stdout).toMatch(/^a+$/);
  });

  it('refuses a changed host key and shows the fingerprint to set', async () => {
    const wrong = { ...target, name: 'pve9', hostKeyFingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' };
    const err = (await pool
      .exec(wrong, buildCommand({ kind: 'uptime' }), { timeoutMs: 5000 })
      .catch((e: unknown) => e)) as SshError;
    expect(err.code).toBe('host_key');
    expect(err.message).toContain(`host key for pve9 (127.0.0.1:${sshd.port}) is ${sshd.hostKeyFingerprint}`);
    expect(err.message).toContain(`set nodes[pve9].ssh.hostKeyFingerprint to ${sshd.hostKeyFingerprint}`);
  });

  it('maps authentication failure and connection refused', async () => {
    const other = utils.generateKeyPairSync('ed25519');
    const badKey = { ...target, name: 'pve8', privateKeyFile: undefined, privateKey: other.private };
    await expect(pool.exec(badKey, buildCommand({ kind: 'uptime' }), { timeoutMs: 5000 })).rejects.toMatchObject({
      code: 'auth',
      message: expect.stringContaining('authentication failed for'),
    });
    const srv = createServer();
    const port = await new Promise<number>((r) =>
      srv.listen(0, '127.0.0.1', () => r((srv.address() as { port: number }).port)),
    );
    await new Promise((r) => srv.close(r));
    await expect(
      pool.exec({ ...target, name: 'pve7', port }, buildCommand({ kind: 'uptime' }), { timeoutMs: 5000 }),
    ).rejects.toMatchObject({
      code: 'refused',
    });
  });

  it('reconnects on the next call after the connection drops', async () => {
    const sockets = new Set<Socket>();
    const proxy: Server = createServer((client) => {
      const upstream = connect(sshd.port, '127.0.0.1');
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    const port = await new Promise<number>((r) =>
      proxy.listen(0, '127.0.0.1', () => r((proxy.address() as { port: number }).port)),
    );
    const viaProxy = { ...target, name: 'pve-proxy', port };
    expect((await pool.exec(viaProxy, buildCommand({ kind: 'uptime' }), { timeoutMs: 5000 })).exitCode).toBe(0);
    for (const s of sockets) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect((await pool.exec(viaProxy, buildCommand({ kind: 'uptime' }), { timeoutMs: 5000 })).exitCode).toBe(0);
    proxy.close();
  });

  it('measures and deletes only old logs under the configured directory', async () => {
    const logs = join(sshd.dir, 'logs');
    mkdirSync(logs, { recursive: true });
    const old = new Date(Date.now() - 40 * 86_400_000);
    writeFileSync(join(logs, 'app.log.1'), 'x'.repeat(1234));
    utimesSync(join(logs, 'app.log.1'), old, old);
    writeFileSync(join(logs, 'fresh.log'), 'y'.repeat(10));
    const spec = { kind: 'old_logs', dir: logs, allowlist: [logs], maxAgeDays: 30 } as const;
    const plan = await pool.exec(target, buildCommand({ ...spec, delete: false }), { timeoutMs: 10_000 });
    expect(parseFoundFiles(plan.stdout)).toEqual([{ bytes: 1234, path: join(logs, 'app.log.1') }]);
    expect(existsSync(join(logs, 'app.log.1'))).toBe(true);
    const done = await pool.exec(target, buildCommand({ ...spec, delete: true }), { timeoutMs: 10_000 });
    expect(parseFoundFiles(done.stdout)).toEqual([{ bytes: 1234, path: join(logs, 'app.log.1') }]);
    expect(existsSync(join(logs, 'app.log.1'))).toBe(false);
    expect(existsSync(join(logs, 'fresh.log'))).toBe(true);
  });

  describe('injection through every string argument', () => {
    const canary = () => join(sshd.dir, 'canary');
    const payloads = () => [
      ...shellPayloads(canary()),
      `x.service; touch ${canary()}`,
      `x.service\ntouch ${canary()}.service`,
    ];
    const specsFor = (p: string): CommandSpec[] => {
      const logs = join(sshd.dir, 'logs');
      return [
        { kind: 'journal', unit: p, lines: 5 },
        { kind: 'journal_since', unit: p, lines: 5, sinceMinutes: 5 },
        { kind: 'status', unit: p },
        { kind: 'is_active', unit: p },
        { kind: 'show', unit: p },
        { kind: 'restart', unit: p },
        { kind: 'vacuum_journal', size: p },
        { kind: 'old_logs', dir: `${logs}/${p}`, allowlist: [logs], maxAgeDays: 1, delete: true },
        { kind: 'old_logs', dir: p, allowlist: [logs], maxAgeDays: 1, delete: false },
      ];
    };

    it('rejects or passes each payload inertly; the canary never appears', async () => {
      const ran = await expectEachInert(
        payloads().flatMap(specsFor),
        (cmd) => pool.exec(target, cmd, { timeoutMs: 10_000 }),
        canary(),
      );
      expect(ran).toBeGreaterThan(0);
    });

    it('passes run_command text as one argument to sh -c, never spliced', async () => {
      const r = await run(`true' ; touch ${canary()} ; echo '`);
      expect(r.exitCode).toBe(127);
      expect(existsSync(canary())).toBe(false);
      const echo = await run(`printf '%s|' 'a b' "c'd" \`echo e\``);
      expect(echo.stdout).toBe("a b|c'd|e|");
    });
  });
});
