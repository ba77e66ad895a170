// Pins what `vigil status` and the dashboard's overview (GET /api/overview status.ha) say about high availability: SQLite is one daemon; on a shared PostgreSQL, which daemon leads since when under which epoch, and the standby's last heartbeat.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPgStores } from '../../src/db/pg/stores.js';
import { createLeadership, type Leadership } from '../../src/db/pg/leader.js';
import { loadConfig } from '../../src/config/index.js';
import { openCore, type Core } from '../../src/core.js';
import { startHttp, type HttpApp } from '../../src/api/app.js';
import { POSTGRES, startPostgres, type RunningPostgres } from '../helpers/postgres.js';
import { runCli, silentLogger } from '../helpers/vigil.js';
import { chromiumAvailable, launchChromium } from '../helpers/browser.js';

const OPERATOR = 'operator-token-0123456789';
const config = (database: string) =>
  [
    'server:',
    '  host: 127.0.0.1',
    'auth:',
    '  assistantToken: assistant-token-0123456789',
    `  operatorToken: ${OPERATOR}`,
    'database:',
    database,
    'logging:',
    '  level: silent',
    '',
  ].join('\n');

const dir = mkdtempSync(join(tmpdir(), 'vigil-status-ha-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vigil status on SQLite', () => {
  it('says the database is SQLite with one daemon and no standby', async () => {
    const file = join(dir, 'sqlite.yaml');
    writeFileSync(file, config('  path: ./vigil.db'));
    const run = await runCli(['status', '--config', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('database: sqlite (one daemon, no standby)');
  });
});

describe.skipIf(!POSTGRES)('vigil status and the overview on a shared PostgreSQL', () => {
  let server: RunningPostgres;
  let url: string;
  const leaders: Leadership[] = [];
  let core: Core | undefined;
  let http: HttpApp | undefined;

  beforeAll(async () => {
    server = await startPostgres(POSTGRES!);
    url = await server.createDatabase('status_ha');
    await (await openPgStores(url)).close();
    // Two daemons' leaderships: the first takes the lock, the second stands by.
    for (const [host, pid] of [
      ['pve-a', 1111],
      ['pve-b', 2222],
    ] as const) {
      const l = createLeadership({ url, daemonId: `${host}:${pid}`, host, pid, intervalMs: 60_000, now: Date.now });
      await l.tick();
      leaders.push(l);
    }
    expect(leaders.map((l) => l.state().leading)).toEqual([true, false]);
  });
  afterAll(async () => {
    await http?.close();
    await core?.close();
    for (const l of leaders) await l.stop();
    await server?.stop();
  });

  it('vigil status names the leader with its epoch and since, and the standby with its last heartbeat', async () => {
    const file = join(dir, 'pg.yaml');
    writeFileSync(file, config(`  url: ${url}`));
    const run = await runCli(['status', '--config', file]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    const at = lines.indexOf('database: postgres, shared by 2 daemons');
    expect(at).toBeGreaterThan(-1);
    const since = new Date(leaders[0]!.since()).toISOString();
    expect(lines[at + 1]).toMatch(
      new RegExp(
        `^ {2}leader {3}pve-a pid 1111 since ${since} \\(epoch ${leaders[0]!.epoch()}\\), last heartbeat \\d+ s ago$`,
      ),
    );
    expect(lines[at + 2]).toMatch(/^ {2}standby {2}pve-b pid 2222 since \S+Z, last heartbeat \d+ s ago$/);
  });

  it("GET /api/overview reports this daemon's role and every daemon's heartbeat", async () => {
    const file = join(dir, 'pg-http.yaml');
    writeFileSync(file, config(`  url: ${url}`));
    core = await openCore({ config: loadConfig(file, {}), logger: silentLogger });
    http = await startHttp(core, '127.0.0.1', 0);
    const res = await fetch(`${http.url}/api/overview`, { headers: { authorization: `Bearer ${OPERATOR}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: { ha: Record<string, unknown> } };
    expect(body.status.ha).toMatchObject({ engine: 'postgres', role: 'standby', epoch: null });
    expect(body.status.ha.daemons).toHaveLength(2);
    expect(body.status.ha.daemons).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ host: 'pve-a', pid: 1111, role: 'leader', epoch: leaders[0]!.epoch() }),
        expect.objectContaining({ host: 'pve-b', pid: 2222, role: 'standby', epoch: null }),
      ]),
    );
  });

  it.skipIf(!chromiumAvailable('dashboard HA row'))(
    'the dashboard shows the leader and the standby on its Database row',
    async () => {
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        await page.goto(http!.url);
        await page.fill('#token', OPERATOR);
        await page.click('#login-form button[type=submit]');
        await page.locator('#ha-state[data-engine="postgres"]').waitFor();
        const row = await page.locator('#ha-state').innerText();
        expect(row).toMatch(/^PostgreSQL · this daemon: standby · leader pve-a pid 1111 since .+ \(epoch \d+\) · /);
        expect(row).toMatch(/standby pve-b pid 2222, last heartbeat (just now|\d+ s ago)$/);
      } finally {
        await browser.close();
      }
    },
  );
});
