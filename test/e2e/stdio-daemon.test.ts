// Pins process sharing: a call through `vigil mcp` (stdio) obeys the kill switch set on a running `vigil serve` and lands in its audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { writeTestConfig, runCli, textOf } from '../helpers/vigil.js';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'vigil-stdio-'));
let daemon: ChildProcess;
let daemonUrl = '';
let udp: Socket;
const packets: Buffer[] = [];
let cfg: ReturnType<typeof writeTestConfig>;
let client: Client;

beforeAll(async () => {
  udp = createSocket('udp4');
  udp.on('message', (msg) => packets.push(msg));
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const wolPort = udp.address().port;
  // Wake-on-LAN goes to a loopback UDP port this test listens on, never to a broadcast address.
  cfg = writeTestConfig(dir, {
    yaml: `nodes:\n  - name: pve9\n    wol:\n      mac: "02:00:00:00:00:09"\n      address: 127.0.0.1\n      port: ${wolPort}\n`,
  });
  daemon = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli.ts', 'serve', '--config', cfg.configFile, '--port', '0'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  daemonUrl = await new Promise<string>((resolve, reject) => {
    let err = '';
    daemon.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /serving on (http:\/\/[^\s]+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    daemon.once('exit', (code) => reject(new Error(`vigil serve exited ${code}: ${err}`)));
  });
  client = new Client({ name: 'stdio-test', version: '1' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', 'src/cli.ts', 'mcp', '--config', cfg.configFile],
      cwd: ROOT,
      stderr: 'ignore',
    }),
  );
}, 60_000);

afterAll(async () => {
  await client?.close();
  daemon?.kill('SIGTERM');
  udp?.close();
  rmSync(dir, { recursive: true, force: true });
});

const operator = (method: string, path: string, body?: unknown) =>
  fetch(`${daemonUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${cfg.operatorToken}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as any })); // eslint-disable-line @typescript-eslint/no-explicit-any

describe('vigil mcp beside vigil serve', () => {
  it('obeys the daemon kill switch, and its calls appear in the daemon audit log', async () => {
    const on = await operator('PUT', '/api/monitor/killswitch', { active: true, scope: 'all', reason: 'stdio test' });
    expect(on.status).toBe(200);

    const blocked = await client.callTool({ name: 'wake_node', arguments: { node: 'pve9' } });
    expect(blocked.isError).toBe(true);
    expect(textOf(blocked)).toMatch(/kill switch \(scope all.*stdio test/);
    expect(packets).toHaveLength(0);

    const audit = await operator('GET', '/api/audit?limit=5');
    expect(audit.body.entries[0]).toMatchObject({
      tool: 'wake_node',
      callerKind: 'assistant',
      callerId: 'stdio-test',
      decision: 'blocked',
    });
    expect(audit.body.entries[0].sessionId).toMatch(/^stdio-/);

    const off = await runCli(['killswitch', 'off', '--yes', '--config', cfg.configFile]);
    expect(off.code).toBe(0);

    const woke = await client.callTool({ name: 'wake_node', arguments: { node: 'pve9' } });
    expect(woke.isError).toBe(false);
    for (let i = 0; i < 50 && packets.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(packets[0]!.subarray(0, 6)).toEqual(Buffer.alloc(6, 0xff));
    const after = await operator('GET', '/api/audit?limit=1');
    expect(after.body.entries[0]).toMatchObject({ tool: 'wake_node', decision: 'allowed', outcome: 'ok' });
  });
});
