// Pins a daemon on PostgreSQL through an outage: /healthz and /metrics say it leads; with PostgreSQL gone it stops leading, /healthz answers 503 "degraded" with the reason and /metrics shows it; once PostgreSQL is back it leads again and queues one escalation saying how long the database was gone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { openCore, type Core } from '../../src/core.js';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { POSTGRES, startPostgres, type RunningPostgres } from '../helpers/postgres.js';
import { silentLogger, writeTestConfig } from '../helpers/vigil.js';
import { eventually } from '../monitor/harness.js';

describe.skipIf(!POSTGRES)('a daemon on PostgreSQL through an outage', () => {
  let server: RunningPostgres;
  let core: Core;
  let daemon: Daemon;
  let dir: string;

  const health = async () => {
    const res = await fetch(`${daemon.http.url}/healthz`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const metric = async (name: string) => {
    const text = await (await fetch(`${daemon.http.url}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  };

  beforeAll(async () => {
    server = await startPostgres(POSTGRES!);
    const url = await server.createDatabase('vigil_outage');
    dir = mkdtempSync(join(tmpdir(), 'vigil-pg-outage-'));
    const yaml = [
      'monitor:',
      '  enabled: false',
      '  schedules: { criticalSeconds: 1 }',
      'notifications:',
      '  webhooks:',
      '    - { url: "http://127.0.0.1:9/hook", format: slack }',
    ].join('\n');
    const { configFile } = writeTestConfig(dir, { yaml });
    const config = loadConfig(configFile, {});
    const withUrl = { ...config, database: { ...config.database, url } };
    core = await openCore({ config: withUrl, logger: silentLogger, compete: true });
    daemon = await startDaemon(core, '127.0.0.1', 0);
  }, 60_000);

  afterAll(async () => {
    await daemon?.stop(5000);
    await core?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leads, refuses and says so while PostgreSQL is gone, leads again and reports the outage once', async () => {
    await eventually(async () => (await health()).body.role === 'leader', 20_000, 'leadership');
    expect(await health()).toMatchObject({ status: 200, body: { ok: true, status: 'ok', engine: 'postgres' } });
    expect(await metric('vigil_leader')).toBe(1);
    expect(await metric('vigil_database_reachable')).toBe(1);
    const epoch = core.ha.epoch!;

    await server.halt();
    await eventually(async () => (await health()).status === 503, 20_000, '/healthz to fail');
    const down = await health();
    expect(down.body).toMatchObject({ ok: false, status: 'degraded', role: 'standby', epoch: null });
    expect(String(down.body.reason)).toMatch(/PostgreSQL/);
    expect(await metric('vigil_leader')).toBe(0);
    expect(await metric('vigil_database_reachable')).toBe(0);

    await server.restart();
    await eventually(async () => (await health()).body.role === 'leader', 30_000, 'leadership again');
    expect(core.ha.epoch).toBeGreaterThan(epoch);
    await eventually(
      async () => (await core.stores.outbox.list()).some((r) => r.incidentKey === 'vigil.database'),
      20_000,
      'the outage escalation',
    );
    const reports = (await core.stores.outbox.list()).filter((r) => r.incidentKey === 'vigil.database');
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ kind: 'escalation' });
    expect(reports[0]!.payload.subject).toMatch(/without its database for \d+ s/);
  }, 120_000);
});
