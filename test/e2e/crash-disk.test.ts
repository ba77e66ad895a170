// Pins a full disk under the database: `vigil serve` refuses to act and says why (/healthz, the tool error), does not crash, and recovers when space returns.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startLab, type Lab } from '../../src/lab/index.js';
import { writeLabConfig } from '../../src/lab/config-writer.js';
import { textOf } from '../helpers/vigil.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const env = {
  ...process.env,
  VIGIL_ASSISTANT_TOKEN: 'disk-assistant-token-0123456789abcdef',
  VIGIL_OPERATOR_TOKEN: 'disk-operator-token-0123456789abcdef',
};

/** A small tmpfs for the database, when this process may mount one (root in a container that allows it). */
function mountTmpfs(at: string): string | null {
  if (process.getuid?.() !== 0) return 'not running as root';
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', at]);
  return r.status === 0 ? null : `mount -t tmpfs failed: ${r.stderr.toString().trim()}`;
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-disk-'));
const mnt = join(dir, 'db');
mkdirSync(mnt);
const cannotMount = mountTmpfs(mnt);
if (cannotMount) process.stderr.write(`skipping the full-disk test: ${cannotMount}\n`);

let lab: Lab;
let child: ChildProcess | undefined;
let url = '';
let exited = false;

beforeAll(async () => {
  if (cannotMount) return;
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" before this test`);
  lab = await startLab({ nodes: 1, guests: 2, taskMs: 100 });
  const configFile = join(dir, 'vigil.yaml');
  writeLabConfig(lab, configFile, { logLevel: 'warn', databasePath: join(mnt, 'vigil.db') });
  writeFileSync(
    configFile,
    `${readFileSync(configFile, 'utf8')}monitor:\n  schedules: { criticalSeconds: 1, fastSeconds: 1, routineSeconds: 30 }\n`,
  );
  child = spawn(process.execPath, [CLI, 'serve', '--config', configFile, '--port', '0'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.once('exit', () => (exited = true));
  url = await new Promise<string>((resolve, reject) => {
    let err = '';
    child!.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /serving on (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    child!.once('exit', (code) => reject(new Error(`vigil serve exited ${code}: ${err}`)));
  });
});

afterAll(async () => {
  if (child && !exited) {
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
  }
  await lab?.close();
  if (!cannotMount) spawnSync('umount', [mnt]);
  rmSync(dir, { recursive: true, force: true });
});

/** Fills the tmpfs to the last byte; returns the filler's path. */
function fillDisk(): string {
  const file = join(mnt, 'filler');
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  // Below one chunk now: write what is left byte by byte in bigger steps down to nothing.
  const tail = openSync(file, 'a');
  for (let size = 32 * 1024; size >= 1; size = Math.floor(size / 2)) {
    try {
      for (;;) writeSync(tail, Buffer.alloc(size));
    } catch {
      // ENOSPC at this size: try a smaller one.
    }
  }
  closeSync(tail);
  return file;
}

async function health(): Promise<{ status: number; body: { ok: boolean; reason?: string } }> {
  const res = await fetch(`${url}/healthz`);
  return { status: res.status, body: (await res.json()) as { ok: boolean; reason?: string } };
}

describe.skipIf(cannotMount !== null)('a full disk under the database', () => {
  it('refuses to act, says why, stays up, and recovers when space returns', async () => {
    const client = new Client({ name: 'disk-assistant', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${env.VIGIL_ASSISTANT_TOKEN}` } },
      }),
    );
    expect((await health()).body.ok).toBe(true);
    const guest = lab.state.listGuests().find((g) => !g.ha.managed)!;
    const startsBefore = lab.state.tasks.list().length;

    const filler = fillDisk();
    lab.state.crashGuest(guest.vmid);
    const result = await client
      .callTool({ name: 'start_guest', arguments: { node: guest.node, vmid: guest.vmid } })
      .then(
        (r) => ({ isError: r.isError === true, text: textOf(r) }),
        (err: unknown) => ({ isError: true, text: err instanceof Error ? err.message : String(err) }),
      );
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/database .*full|no space/i);
    // Refused before acting: the lab saw no start task, from the assistant or the monitor.
    await new Promise((r) => setTimeout(r, 2500));
    expect(lab.state.tasks.list().length).toBe(startsBefore);
    const sick = await health();
    expect(sick.status).toBe(503);
    expect(sick.body.reason).toMatch(/database .*full|no space/i);
    expect(exited).toBe(false);

    rmSync(filler);
    await expect.poll(async () => (await health()).body.ok, { timeout: 20_000, interval: 250 }).toBe(true);
    const again = await client.callTool({ name: 'start_guest', arguments: { node: guest.node, vmid: guest.vmid } });
    expect(textOf(again)).not.toMatch(/full/);
    await client.close();
    expect(exited).toBe(false);
  }, 90_000);
});
