// Pins crash safety: `vigil serve` (dist/cli.js) SIGKILLed at seeded random points of a busy run (monitor remediating, assistant calling, outbox mailing) keeps a verifiable audit chain, runs no action and redeems no approval twice, and loses or repeats no notification.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startLab, type Lab } from '../../src/lab/index.js';
import { writeLabConfig } from '../../src/lab/config-writer.js';
import { seededRandom } from '../../src/util/random.js';
import { SMTP_PASSWORD, SMTP_USER, startSmtpSink, type SmtpSink } from '../notify/smtp-sink.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const SEED = Number(process.env.VIGIL_CRASH_SEED ?? 9);
const KILLS = Number(process.env.VIGIL_CRASH_KILLS ?? 8);
const env = {
  ...process.env,
  VIGIL_ASSISTANT_TOKEN: 'crash-assistant-token-0123456789abcdef',
  VIGIL_OPERATOR_TOKEN: 'crash-operator-token-0123456789abcdef',
};

let lab: Lab;
let sink: SmtpSink;
let dir = '';
let configFile = '';
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" before this test`);
  lab = await startLab({ nodes: 2, guests: 3, taskMs: 300, seed: SEED });
  sink = await startSmtpSink();
  dir = mkdtempSync(join(tmpdir(), 'vigil-crash-'));
  configFile = join(dir, 'vigil.yaml');
  writeLabConfig(lab, configFile, { logLevel: 'warn' });
  const text = readFileSync(configFile, 'utf8').replace('  confirmation: elicit', '  confirmation: approval');
  writeFileSync(
    configFile,
    [
      text,
      'monitor:',
      '  schedules: { criticalSeconds: 1, fastSeconds: 1, routineSeconds: 30 }',
      '  runbooks:',
      '    guest.crashed: { verifyTimeoutSeconds: 5, verifyIntervalSeconds: 0.2 }',
      'notifications:',
      `  email: { host: 127.0.0.1, port: ${sink.port}, user: ${SMTP_USER}, password: ${SMTP_PASSWORD}, from: "vigil <vigil@lab.test>", to: [ops@lab.test] }`,
      '  reportDigestSeconds: 0',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await sink?.stop();
  await lab?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Starts `vigil serve` and resolves with its URL once it listens. */
function serve(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--config', configFile, '--port', '0'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /serving on (http:\/\/\S+)/.exec(err);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code, signal) => reject(new Error(`vigil serve exited (${code ?? signal}): ${err}`)));
  });
}

/** Crashes a guest through the lab's control API (HTTPS, trusting the lab's CA). */
function crash(vmid: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${lab.url}/_lab/guests/${vmid}/crash`, { method: 'POST', ca: lab.caPem }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`crash ${vmid}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The assistant's work: reads, and a red reboot asked for, approved by the operator and redeemed. */
async function assistantLoop(
  client: Client,
  url: string,
  guest: { node: string; vmid: number },
  stop: () => boolean,
): Promise<void> {
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${env.VIGIL_ASSISTANT_TOKEN}` } },
    }),
  );
  while (!stop()) {
    await client.callTool({ name: 'list_guests', arguments: {} });
    const pending = await client.callTool({ name: 'reboot_guest', arguments: guest });
    const id = (pending.structuredContent as { approvalId?: string } | undefined)?.approvalId;
    if (!id) continue;
    await fetch(`${url}/api/approvals/${id}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.VIGIL_OPERATOR_TOKEN}` },
    });
    await client.callTool({ name: 'reboot_guest', arguments: { ...guest, approval_id: id } });
  }
}

interface Ledger {
  /** Crashes this test caused, per vmid. */
  crashes: Map<number, number>;
  /** How many mails had arrived when each life started. */
  mailsAtStart: number[];
  /** Message-IDs delivered again by the next life, after a kill cut their first delivery short. */
  resent: Set<string>;
}

/** Every invariant that must hold whenever the daemon is down after a kill. */
function checkInvariants(ledger: Ledger, rebootVmid: number, life: number): void {
  const verify = spawnSync(process.execPath, [CLI, 'audit', 'verify', '--config', configFile], { cwd: dir, env });
  expect({ life, verify: verify.status, out: verify.stderr.toString() }).toMatchObject({ life, verify: 0 });

  const db = new Database(join(dir, 'vigil.db'), { readonly: true });
  try {
    const tasks = lab.state.tasks.list();
    // No action ran twice: at most one start per crash we caused, per guest.
    for (const [vmid, crashes] of ledger.crashes) {
      const starts = tasks.filter((t) => (t.type === 'qmstart' || t.type === 'vzstart') && t.id === String(vmid));
      expect({ life, vmid, starts: starts.length <= crashes }).toEqual({ life, vmid, starts: true });
    }
    // No approval redeemed twice: one allowed row per approval, and no more reboots than used approvals.
    const twice = db
      .prepare(
        `SELECT approval_id, count(*) AS n FROM audit WHERE decision = 'allowed' AND approval_id IS NOT NULL
         GROUP BY approval_id HAVING n > 1`,
      )
      .all();
    expect({ life, twice }).toEqual({ life, twice: [] });
    const used = (db.prepare(`SELECT count(*) AS n FROM approvals WHERE status = 'used'`).get() as { n: number }).n;
    const reboots = tasks.filter((t) => /reboot/.test(t.type) && t.id === String(rebootVmid)).length;
    expect({ life, rebootsWithinUsed: reboots <= used }).toEqual({ life, rebootsWithinUsed: true });
    // No notification sent twice. A kill after the SMTP server accepted a mail but before the outbox
    // marked it delivered makes the next life send it again, under the same Message-ID (no sender can
    // know what the peer received before it died; mail clients drop the copy). Any other repeat fails.
    const lifeOf = (index: number) => ledger.mailsAtStart.findLastIndex((start) => start <= index);
    const seen = new Map<string, number>();
    sink.mails.forEach((m, index) => {
      const id = m.headers.get('message-id') ?? '';
      const first = seen.get(id);
      if (first === undefined) return void seen.set(id, index);
      expect({ life, id, sameLife: lifeOf(first) === lifeOf(index) }).toEqual({ life, id, sameLife: false });
      ledger.resent.add(id);
    });
  } finally {
    db.close();
  }
}

describe('SIGKILL at random points of a busy run', () => {
  it(`keeps every record consistent across ${KILLS} kills (seed ${SEED})`, async () => {
    // Kill points and chaos draw from separate streams, so the kill points depend on the seed alone.
    const killAt = seededRandom(SEED);
    const chaosRandom = seededRandom(SEED + 1);
    const guests = lab.state.listGuests().filter((g) => !g.ha.managed);
    const rebootTarget = guests[0]!;
    const crashable = guests.slice(1).map((g) => g.vmid);
    const ledger: Ledger = { crashes: new Map(crashable.map((v) => [v, 0])), mailsAtStart: [], resent: new Set() };
    const lives: string[] = [];

    for (let life = 0; life <= KILLS; life += 1) {
      ledger.mailsAtStart.push(sink.mails.length);
      const { child, url } = await serve();
      let stopped = false;
      const stop = () => stopped;
      // Closing the client after a kill rejects its pending call at once (a dead server never answers).
      const client = new Client({ name: 'crash-assistant', version: '1' });
      const target = { node: rebootTarget.node, vmid: rebootTarget.vmid };
      const assistant = assistantLoop(client, url, target, stop).catch(() => {});
      const chaos = (async () => {
        while (!stopped) {
          const running = crashable.filter((v) => lab.state.getGuest(v)?.status === 'running');
          const vmid = running[Math.floor(chaosRandom() * running.length)];
          if (vmid !== undefined) {
            await crash(vmid);
            ledger.crashes.set(vmid, ledger.crashes.get(vmid)! + 1);
          }
          await sleep(400 + chaosRandom() * 1200);
        }
      })();
      if (life === KILLS) {
        // The last life is not killed: it must finish the work, and every queued notification must go out.
        stopped = true;
        await Promise.all([assistant, chaos]);
        await client.close();
        const db = new Database(join(dir, 'vigil.db'), { readonly: true });
        const pending = () =>
          (db.prepare(`SELECT count(*) AS n FROM outbox WHERE status = 'pending'`).get() as { n: number }).n;
        const deadline = Date.now() + 30_000;
        while (pending() > 0 && Date.now() < deadline) await sleep(200);
        const delivered = (
          db.prepare(`SELECT count(*) AS n FROM outbox WHERE status = 'delivered'`).get() as { n: number }
        ).n;
        const stillPending = db
          .prepare(
            `SELECT id, kind, attempts, lease_owner, lease_until, next_attempt_at, last_error FROM outbox WHERE status = 'pending'`,
          )
          .all();
        db.close();
        child.kill('SIGTERM');
        // Bounded so that a daemon that does not stop fails here by name, not by the test's timeout.
        const exited = await Promise.race([
          new Promise((r) => child.once('exit', () => r(true))),
          sleep(30_000).then(() => false),
        ]);
        expect(exited, 'vigil serve exits within 30 s of SIGTERM').toBe(true);
        checkInvariants(ledger, rebootTarget.vmid, life);
        // No notification lost: everything queued was delivered, and the mails carry exactly the delivered rows.
        expect(stillPending).toEqual([]);
        const rows = new Map<string, number>();
        for (const m of sink.mails) {
          const match = /vigil-outbox-(\d+)-(\d+)@/.exec(m.headers.get('message-id') ?? '');
          if (match) rows.set(match[1]!, Number(match[2]));
        }
        expect([...rows.values()].reduce((a, b) => a + b, 0)).toBe(delivered);
        lives.push(`life ${life}: clean stop, ${delivered} outbox rows delivered in ${rows.size} mails`);
        break;
      }
      const after = 1500 + Math.floor(killAt() * 3500);
      await sleep(after);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      stopped = true;
      await client.close();
      await Promise.all([assistant, chaos]);
      checkInvariants(ledger, rebootTarget.vmid, life);
      lives.push(`life ${life}: SIGKILL after ${after} ms`);
      if (process.env.DEBUG_CRASH) process.stderr.write(`${lives.at(-1)}\n`);
    }
    const starts = lab.state.tasks.list().filter((t) => t.type === 'qmstart' || t.type === 'vzstart').length;
    const crashes = [...ledger.crashes.values()].reduce((a, b) => a + b, 0);
    // The monitor really was busy: it restarted crashed guests across the kills.
    expect(starts).toBeGreaterThan(0);
    expect(crashes).toBeGreaterThanOrEqual(KILLS / 2);
    process.stderr.write(
      `crash run (seed ${SEED}): ${crashes} crashes, ${starts} starts, ${sink.mails.length} mails (${ledger.resent.size} resent after a kill)\n  ${lives.join('\n  ')}\n`,
    );
  }, 170_000);
});
