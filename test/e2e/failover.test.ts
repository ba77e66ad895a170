// Pins failover between two `vigil serve` on one PostgreSQL: the leader SIGKILLed mid-remediation, the standby takes over under a new epoch, the guest is started exactly once, the audit chain verifies, and a /events client of the survivor saw both daemons' events in id order.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startLab, type Lab } from '../../src/lab/index.js';
import { readDaemons, type DaemonBeat } from '../../src/db/pg/leader.js';
import { openPgStores } from '../../src/db/pg/stores.js';
import type { StorePorts } from '../../src/db/ports.js';
import { POSTGRES, startPostgres, type RunningPostgres } from '../helpers/postgres.js';
import { streamClient, type StreamClient } from '../realtime/stream-client.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const VMID = 100;

/** Polls `check` until it returns true; the message says what never happened. */
async function eventually(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Serve {
  child: ChildProcess;
  url: Promise<string>;
  stderr(): string;
}

/** `vigil serve` from the built dist, on a free port; `url` resolves once it serves. */
function serve(configFile: string): Serve {
  const child = spawn(process.execPath, [CLI, 'serve', '--config', configFile, '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /serving on (http:\/\/\S+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`vigil serve exited (${code}) before serving: ${stderr}`)));
  });
  url.catch(() => undefined);
  return { child, url, stderr: () => stderr };
}

/** The config both daemons share: the lab, fast schedules, the PostgreSQL database. */
function writeConfig(dir: string, lab: Lab, databaseUrl: string, operatorToken: string): string {
  const keyFile = join(dir, 'id_ed25519');
  writeFileSync(keyFile, lab.sshClientKey?.privateKey ?? '', { mode: 0o600 });
  const nodes = lab
    .nodesInfo()
    .flatMap((n) => [
      `  - name: ${n.name}`,
      `    ssh: { host: 127.0.0.1, port: ${n.sshPort}, user: root, privateKeyFile: ${keyFile}, hostKeyFingerprint: "${n.hostKeyFingerprint}", commandTimeoutSeconds: 5 }`,
      `    wol: { mac: "${n.mac}", address: 127.0.0.1, port: ${n.wolPort} }`,
      '    services: [nginx.service]',
    ]);
  const file = join(dir, 'vigil.yaml');
  writeFileSync(
    file,
    [
      'server:',
      '  host: 127.0.0.1',
      'auth:',
      `  assistantToken: asst-${randomBytes(16).toString('hex')}`,
      `  operatorToken: ${operatorToken}`,
      'database:',
      `  url: ${databaseUrl}`,
      'logging:',
      '  level: info',
      'proxmox:',
      `  url: ${lab.url}`,
      `  tokenId: "${lab.token.id}"`,
      `  tokenSecret: ${lab.token.secret}`,
      `  tls: { fingerprint: "${lab.fingerprint}" }`,
      'nodes:',
      ...nodes,
      'monitor:',
      '  schedules: { criticalSeconds: 1, fastSeconds: 1, routineSeconds: 2 }',
      '  guardrails: { leaseSeconds: 600 }',
      '  runbooks:',
      '    guest.crashed: { verifyTimeoutSeconds: 10, verifyIntervalSeconds: 0.1 }',
      '',
    ].join('\n'),
  );
  return file;
}

describe.skipIf(!POSTGRES)('two vigil daemons on one PostgreSQL', () => {
  let server: RunningPostgres;
  let lab: Lab;
  let dir: string;
  let databaseUrl: string;
  let stores: StorePorts;
  let beats: pg.Client;
  const daemons: Serve[] = [];
  let client: StreamClient | undefined;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" before this test`);
    server = await startPostgres(POSTGRES!);
    databaseUrl = await server.createDatabase('failover');
    // A start task that runs for 3 s leaves time to kill the leader while it waits for it.
    lab = await startLab({ taskMs: 3000, bootMs: 150 });
    dir = mkdtempSync(join(tmpdir(), 'vigil-failover-'));
    stores = await openPgStores(databaseUrl, { maxConnections: 2 });
    beats = new pg.Client({ connectionString: databaseUrl });
    await beats.connect();
  }, 60_000);
  afterAll(async () => {
    client?.close();
    for (const d of daemons) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
    await beats?.end();
    await stores?.close();
    await lab?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const live = async (): Promise<DaemonBeat[]> => (await readDaemons(beats)).filter((d) => d.role !== 'stopped');

  it('takes over after a SIGKILL mid-remediation without starting the guest twice', async () => {
    const operatorToken = `oper-${randomBytes(16).toString('hex')}`;
    const configFile = writeConfig(dir, lab, databaseUrl, operatorToken);
    const first = serve(configFile);
    daemons.push(first);
    await first.url;
    // The first daemon leads before the second starts, so which one leads is known.
    await eventually(
      async () => (await live()).some((d) => d.role === 'leader' && d.pid === first.child.pid),
      60_000,
      'the first daemon to lead',
    );
    const second = serve(configFile);
    daemons.push(second);
    const survivorUrl = await second.url;
    await eventually(
      async () => (await live()).some((d) => d.role === 'standby' && d.pid === second.child.pid),
      60_000,
      'the second daemon to stand by',
    );
    const epochBefore = (await live()).find((d) => d.role === 'leader')!.epoch!;

    // A /events client of the standby, from the start of the history.
    client = streamClient(survivorUrl, { token: operatorToken, since: 0 });
    await client.ready;

    // The leader must have seen the guest running before it crashes (two critical cycles), or it
    // would judge a guest first seen stopped, not a crash.
    // (monitor_runs keeps the last run of each kind: wait for its start time to move on twice.)
    const lastCritical = async () => (await stores.monitor.runs()).find((r) => r.kind === 'critical')?.startedAt ?? 0;
    for (let cycle = 0; cycle < 2; cycle += 1) {
      const before = await lastCritical();
      await eventually(async () => (await lastCritical()) > before, 60_000, 'a critical cycle of the leader');
    }
    lab.state.crashGuest(VMID);
    await eventually(
      () => lab.state.tasks.list().some((t) => t.type === 'qmstart' && t.id === String(VMID)),
      60_000,
      'the leader to start the guest',
    );
    // Every event so far was written by the leader: the standby does not act.
    const lastOfLeader = await stores.events.lastId();
    first.child.kill('SIGKILL');
    await new Promise((r) => (first.child.exitCode === null ? first.child.once('exit', r) : r(null)));

    await eventually(
      async () => (await live()).some((d) => d.role === 'leader' && d.pid === second.child.pid),
      60_000,
      'the standby to take over',
    );
    const leader = (await live()).find((d) => d.role === 'leader')!;
    expect(leader.epoch).toBeGreaterThan(epochBefore);

    const incidentResolved = async () =>
      (await stores.monitor.listIncidents({ limit: 20 })).some(
        (i) => i.key === `guest.crashed:${VMID}` && i.status === 'resolved',
      );
    await eventually(incidentResolved, 90_000, 'the incident to resolve');

    const starts = lab.state.tasks.list().filter((t) => t.type === 'qmstart' && t.id === String(VMID));
    // What happened, for the failure message: start times, incidents, actions and events as stored.
    const story = JSON.stringify({
      starts: starts.map((t) => t.starttime),
      incidents: (await stores.monitor.listIncidents({ limit: 10 })).map((i) => [i.key, i.status]),
      actions: (await stores.monitor.recentActions({ limit: 10 })).map((a) => [a.incidentKey, a.holder, a.result]),
      events: (await stores.events.latest(100)).map((e) => [e.id, e.type, e.incidentKey]),
    });
    expect(starts, story).toHaveLength(1);
    expect(lab.state.getGuest(VMID)?.status).toBe('running');
    const actions = await stores.monitor.recentActions({ incidentKey: `guest.crashed:${VMID}`, limit: 10 });
    expect(
      actions.filter((a) => a.tool === 'start_guest'),
      story,
    ).toHaveLength(1);
    // The dead leader's action is recorded as interrupted by the survivor, once its heartbeat went stale.
    await eventually(
      async () =>
        (await stores.monitor.recentActions({ incidentKey: `guest.crashed:${VMID}`, limit: 10 })).some(
          (a) => a.tool === 'start_guest' && a.result === 'interrupted' && a.holder.includes(`:${first.child.pid}:`),
        ),
      60_000,
      "the dead leader's action to be recorded as interrupted",
    );
    expect(lab.state.tasks.list().filter((t) => t.type === 'qmstart' && t.id === String(VMID))).toHaveLength(1);

    // The survivor's client saw the leader's remediation start and the survivor's resolution, in id order, once each.
    await client.waitFor((e) => e.type === 'incident.resolved' && e.incidentKey === `guest.crashed:${VMID}`, 30_000);
    const types = client.events.filter((e) => e.incidentKey === `guest.crashed:${VMID}`).map((e) => e.type);
    expect(types).toContain('remediation.started');
    const ids = client.ids();
    expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
    expect(ids.filter((id) => id <= lastOfLeader).length).toBeGreaterThan(0);
    expect(ids.filter((id) => id > lastOfLeader).length).toBeGreaterThan(0);

    const verify = spawnSync(process.execPath, [CLI, 'audit', 'verify', '--config', configFile], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(verify.stdout).toMatch(/audit log intact: \d+ rows, hash chain verified/);
    expect(verify.status).toBe(0);
  }, 300_000);
});
