// Pins two daemons on one PostgreSQL in one process: exactly one leads and only its monitor acts; the standby's cycles do nothing; a kill switch engaged through the standby stops the leader's next action; when the leader stops, the standby takes over under a higher epoch and acts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { openCore, type Core } from '../../src/core.js';
import { createClients } from '../../src/clients/index.js';
import { startMonitorService, type MonitorService } from '../../src/monitor/daemon.js';
import { runOnce } from '../../src/commands/once.js';
import { POSTGRES, startPostgres, type RunningPostgres } from '../helpers/postgres.js';
import { silentLogger } from '../helpers/vigil.js';
import { eventually, startMonitorLab, type MonitorLab } from './harness.js';

interface Daemon {
  core: Core;
  service: MonitorService;
}

describe.skipIf(!POSTGRES)('two daemons sharing PostgreSQL', () => {
  let server: RunningPostgres;
  let t: MonitorLab;
  const daemons: Daemon[] = [];

  /** A daemon over the lab's config with database.url set; its schedules stay off, cycles are run by hand. */
  async function daemon(url: string): Promise<Daemon> {
    const file = join(t.dir, `vigil-${daemons.length}.yaml`);
    const text = readFileSync(join(t.dir, 'vigil.yaml'), 'utf8')
      .replace('database:\n  path: ./vigil.db', `database:\n  path: ./vigil.db\n  url: ${url}`)
      .replace('monitor:\n', 'monitor:\n  enabled: false\n');
    writeFileSync(file, text);
    const config = loadConfig(file, {});
    const core = await openCore({
      config,
      logger: silentLogger,
      clients: createClients(config, silentLogger),
      compete: true,
    });
    const service = startMonitorService(core);
    core.leadership.start();
    const d = { core, service };
    daemons.push(d);
    return d;
  }

  const leaderOf = (): Daemon | undefined => daemons.find((d) => d.core.ha.role === 'leader');
  const standbyOf = (): Daemon | undefined => daemons.find((d) => d.core.ha.role === 'standby');
  const cycle = async (d: Daemon) => (await d.service.monitor.runCycle('critical')).settled;

  beforeAll(async () => {
    server = await startPostgres(POSTGRES!);
    t = await startMonitorLab();
    const url = await server.createDatabase('vigil_ha');
    await daemon(url);
    await daemon(url);
  }, 60_000);

  afterAll(async () => {
    for (const d of daemons) {
      await d.service.stop();
      await d.core.close();
    }
    await t?.close();
    await server?.stop();
  });

  it('elects exactly one leader; only its monitor opens incidents and acts', async () => {
    await eventually(() => leaderOf() !== undefined, 20_000, 'a leader');
    const leader = leaderOf()!;
    const standby = standbyOf()!;
    expect(daemons.filter((d) => d.core.ha.role === 'leader')).toHaveLength(1);
    expect(leader.core.ha.engine).toBe('postgres');
    expect(leader.core.ha.epoch).toBeGreaterThan(0);
    expect(standby.core.ha.epoch).toBeNull();
    await eventually(async () => (await standby.core.ha.daemons()).length === 2, 20_000, 'both heartbeats');
    const beats = await standby.core.ha.daemons();
    expect(beats.map((b) => b.role).sort()).toEqual(['leader', 'standby']);

    await cycle(leader);
    t.lab.state.crashGuest(100);
    const status = await standby.core.deps.monitorStatus!();
    expect(status).toMatchObject({ role: 'standby' });
    const skipped = await standby.service.monitor.runCycle('critical');
    expect(skipped.skipped).toBe('standby');
    expect(await standby.core.stores.monitor.activeIncidents()).toEqual([]);
    expect(t.lab.state.getGuest(100)?.status).toBe('stopped');

    await cycle(leader);
    expect(t.lab.state.getGuest(100)?.status).toBe('running');
    const actions = await standby.core.stores.monitor.recentActions({ incidentKey: 'guest.crashed:100', limit: 5 });
    expect(actions.map((a) => [a.tool, a.result, a.holder])).toEqual([
      ['start_guest', 'succeeded', leader.core.leadership.daemonId],
    ]);
  });

  it('a kill switch engaged through the standby stops the leader at its next check', async () => {
    const leader = leaderOf()!;
    const standby = standbyOf()!;
    const engaged = await standby.core.pipeline.executeTool(
      'set_kill_switch',
      { active: true, scope: 'autonomy', reason: 'maintenance' },
      { kind: 'operator', id: 'test' },
    );
    expect(engaged).toMatchObject({ decision: 'allowed', outcome: 'ok' });
    t.lab.state.crashGuest(101);
    await cycle(leader);
    await cycle(leader);
    expect(t.lab.state.getGuest(101)?.status).toBe('stopped');
    const actions = await leader.core.stores.monitor.recentActions({ incidentKey: 'guest.crashed:101', limit: 5 });
    expect(actions.map((a) => a.result)).toEqual(['blocked']);

    const released = await standby.core.pipeline.executeTool(
      'set_kill_switch',
      { active: false, reason: 'done' },
      { kind: 'operator', id: 'test' },
    );
    expect(released.kind === 'result' && released.decision).not.toBe('blocked');
  });

  it('when the leader stops, the standby takes over under a higher epoch and acts', async () => {
    const old = leaderOf()!;
    const next = standbyOf()!;
    const epoch = old.core.ha.epoch!;
    await old.core.leadership.stop();
    expect(old.core.ha.role).toBe('standby');
    await eventually(() => next.core.ha.role === 'leader', 20_000, 'the standby to take over');
    expect(next.core.ha.epoch).toBeGreaterThan(epoch);

    t.lab.state.crashGuest(102);
    expect((await old.service.monitor.runCycle('critical')).skipped).toBe('standby');
    await cycle(next);
    await cycle(next);
    expect(t.lab.state.getGuest(102)?.status).toBe('running');
  });

  it('vigil once does not act while a daemon leads, and says why', async () => {
    const leader = leaderOf()!;
    const config = leader.core.config;
    const core = await openCore({
      config,
      logger: silentLogger,
      clients: createClients(config, silentLogger),
      compete: true,
    });
    try {
      const lines: string[] = [];
      t.lab.state.crashGuest(103);
      expect(await runOnce(core, { dryRun: false }, { out: (l) => lines.push(l) })).toBe(1);
      expect(lines.join('\n')).toMatch(/another daemon leads the monitor/);
      expect(t.lab.state.getGuest(103)?.status).toBe('stopped');
      expect(core.ha.role).toBe('standby');
    } finally {
      await core.close();
    }
  });
});
