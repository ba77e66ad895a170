/**
 * A throwaway PostgreSQL cluster for tests: `initdb` into a temp dir, `postgres` on 127.0.0.1 at a
 * free port (trust auth, loopback only, no Unix socket outside the temp dir), one database per
 * test file, everything removed on `stop()`. initdb refuses to run as root, so under root the
 * cluster runs as an unprivileged system user (`postgres` when Debian's package created it, else
 * `nobody`) through `setpriv`, and the temp dir is handed to that user.
 *
 * The binaries come from Debian's `postgresql` package (/usr/lib/postgresql/<major>/bin) or PATH.
 * When they are missing, `POSTGRES` is null and the suites skip with a message — except under
 * CI=true, where a missing PostgreSQL is a broken CI image and fails loudly instead.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { freePort } from './free-port.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Where the server binaries are, or null when PostgreSQL is not installed. */
export interface PostgresInstall {
  bin: string;
}

function findBin(): string | null {
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const majors = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (majors[0]) return join(debian, majors[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return dir;
  }
  return null;
}

function findInstall(): PostgresInstall | null {
  const bin = findBin();
  if (bin) return { bin };
  if (process.env.CI === 'true') {
    throw new Error(
      'CI=true but PostgreSQL is not installed (initdb not found): .ci/run installs Debian package postgresql',
    );
  }
  console.warn('PostgreSQL tests skipped: initdb not found (install Debian package postgresql to run them)');
  return null;
}

/** The installed PostgreSQL, or null (tests skip; under CI=true this throws instead). */
export const POSTGRES: PostgresInstall | null = findInstall();

export interface RunningPostgres {
  port: number;
  /** A `postgres://` URL of `database` (default: the maintenance database `postgres`). */
  url(database?: string): string;
  /** Creates a fresh, empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** The tail of the server's log, for failure messages. */
  log(): string;
  /** Stops the server (fast shutdown: every session ends) and keeps the data, as an outage does. */
  halt(): Promise<void>;
  /** Starts the server again on the same port and data (after `halt()`). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The account the cluster runs as: ourselves, or an unprivileged system user when we are root. */
function runAs(): { user: string; uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  for (const user of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', user]).toString().trim());
      const gid = Number(execFileSync('id', ['-g', user]).toString().trim());
      return { user, uid, gid };
    } catch {
      continue;
    }
  }
  throw new Error('running as root and neither user postgres nor nobody exists to run the test cluster as');
}

/**
 * The command line for one server binary. setpriv switches user and then execs, so the child is
 * the server process itself and our signals reach it directly.
 */
function command(install: PostgresInstall, as: ReturnType<typeof runAs>, tool: string, args: string[]) {
  const exe = join(install.bin, tool);
  if (!as) return { file: exe, args };
  return { file: 'setpriv', args: [`--reuid=${as.uid}`, `--regid=${as.gid}`, '--clear-groups', '--', exe, ...args] };
}

/** Creates and starts a cluster; call `stop()` in afterAll. */
export async function startPostgres(install: PostgresInstall): Promise<RunningPostgres> {
  const as = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pg-'));
  chmodSync(dir, 0o700);
  if (as) chownSync(dir, as.uid, as.gid);
  const data = join(dir, 'data');
  const init = command(install, as, 'initdb', ['-D', data, '-U', 'vigil', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  // cwd: the temp dir, which the cluster's user can enter (the repository may not be).
  execFileSync(init.file, init.args, {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_ALL: 'C' },
  });

  const port = await freePort();
  const settings = [
    `listen_addresses=127.0.0.1`,
    `port=${port}`,
    `unix_socket_directories=${dir}`,
    'fsync=off',
    'synchronous_commit=off',
    'full_page_writes=off',
    'max_connections=60',
  ];
  const run = command(install, as, 'postgres', ['-D', data, ...settings.flatMap((s) => ['-c', s])]);
  let log = '';
  const url = (database = 'postgres'): string => `postgres://vigil@127.0.0.1:${port}/${database}`;

  /** Starts the server on the cluster and resolves once a real query succeeds, not merely once the port is bound. */
  async function launch(): Promise<ChildProcess> {
    const child = spawn(run.file, run.args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-8000);
    });
    for (let attempt = 0; ; attempt += 1) {
      if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}): ${log}`);
      const client = new pg.Client({ connectionString: url() });
      try {
        await client.connect();
        await client.query('SELECT 1');
        await client.end();
        return child;
      } catch (err) {
        await client.end().catch(() => undefined);
        if (attempt >= 200) throw new Error(`postgres did not accept connections: ${String(err)}\n${log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  async function halt(): Promise<void> {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    // SIGINT is PostgreSQL's fast shutdown: open sessions are ended, no checkpoint wait.
    child.kill('SIGINT');
    await exited;
  }

  let child = await launch();

  return {
    port,
    url,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name ${name}: use lowercase letters, digits, _`);
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    log: () => log,
    halt,
    async restart() {
      await halt();
      child = await launch();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
