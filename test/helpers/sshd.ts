/**
 * Starts a real OpenSSH sshd on 127.0.0.1 for e2e tests: generated host and user keys, an
 * ephemeral port, running as the current user. `sshdAvailable` lets tests skip only when the
 * binary is missing.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort } from './free-port.js';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const SSHD_PATH = '/usr/sbin/sshd';

/** True when OpenSSH's sshd and ssh-keygen are installed. */
export function sshdAvailable(): boolean {
  return existsSync(SSHD_PATH) && existsSync('/usr/bin/ssh-keygen');
}

export interface RunningSshd {
  host: string;
  port: number;
  user: string;
  privateKey: Buffer;
  privateKeyFile: string;
  hostKeyFingerprint: string;
  dir: string;
  /** The tail of sshd's log (stderr), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

function keygen(file: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'vigil-test', '-f', file]);
}

/** `SHA256:...` of a public key file, as ssh-keygen prints it. */
export function fingerprintOf(pubFile: string): string {
  const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubFile]).toString();
  const fp = out.split(/\s+/)[1];
  if (!fp?.startsWith('SHA256:')) throw new Error(`unexpected ssh-keygen output: ${out}`);
  return fp;
}

async function waitListening(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`sshd exited (${child.exitCode}): ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = createServer().listen(port, '127.0.0.1');
      // If we can bind the port, sshd is not listening yet.
      sock.once('listening', () => sock.close(() => resolve(false)));
      sock.once('error', () => resolve(true));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not start listening: ${log()}`);
}

/** Starts sshd; call `stop()` in afterAll. */
export async function startSshd(): Promise<RunningSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sshd-'));
  chmodSync(dir, 0o700);
  const hostKey = join(dir, 'host_ed25519');
  const userKey = join(dir, 'user_ed25519');
  keygen(hostKey);
  keygen(userKey);
  const authorized = join(dir, 'authorized_keys');
  writeFileSync(authorized, readFileSync(`${userKey}.pub`), { mode: 0o600 });
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorized}`,
      'StrictModes no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      `LogLevel ${process.env.VIGIL_SSHD_LOGLEVEL ?? 'VERBOSE'}`,
      'MaxStartups 50',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );
  // sshd refuses to run without its privilege-separation directory.
  if (!existsSync('/run/sshd')) execFileSync('mkdir', ['-p', '/run/sshd']);
  let log = '';
  const child = spawn(SSHD_PATH, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-8000);
  });
  await waitListening(port, child, () => log);
  return {
    host: '127.0.0.1',
    port,
    user: userInfo().username,
    privateKey: readFileSync(userKey),
    privateKeyFile: userKey,
    hostKeyFingerprint: fingerprintOf(`${hostKey}.pub`),
    dir,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
