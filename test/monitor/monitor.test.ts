// Pins monitor behaviour around the edges of acting: monitor.dryRun, autonomy levels 0 and 1, flapping, the self-watch, and the monitor config's validation.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { ConfigError } from '../../src/errors.js';
import { cronForSeconds } from '../../src/monitor/schedule.js';
import { startMonitorLab, type MonitorLab } from './harness.js';

let t: MonitorLab | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const startCalls = async (m: MonitorLab) => await m.core.stores.audit.list({ limit: 100, tool: 'start_guest' });

describe('monitor.dryRun', () => {
  it('opens the incident, records once what it would do, calls nothing and counts no attempt', async () => {
    t = await startMonitorLab({ monitorYaml: '  dryRun: true' });
    await t.cycle('critical');
    t.lab.state.crashGuest(100);
    await t.cycle('critical');
    await t.cycle('critical');
    expect(t.lab.state.getGuest(100)?.status).toBe('stopped');
    expect(await startCalls(t)).toEqual([]);
    const actions = await t.monitor.store.recentActions({ limit: 10 });
    expect(actions.map((a) => [a.result, a.counts])).toEqual([['dry_run', false]]);
    expect(actions[0]!.detail).toMatch(/would call start_guest/);
    expect((await t.monitor.store.activeIncidents())[0]).toMatchObject({ key: 'guest.crashed:100', attempts: 0 });
  });
});

describe('autonomy levels 0 and 1', () => {
  it('level 0 records only; level 1 also notifies; neither acts', async () => {
    t = await startMonitorLab();
    await t.cycle('critical');
    await t.core.stores.preferences.setAutonomyLevel(0, t.now());
    t.lab.state.crashGuest(100);
    await t.cycle('critical');
    expect((await t.monitor.store.activeIncidents()).map((i) => i.key)).toEqual(['guest.crashed:100']);
    expect(t.sent).toEqual([]);
    await t.core.stores.preferences.setAutonomyLevel(1, t.now());
    t.lab.state.crashGuest(101);
    await t.cycle('critical');
    expect(t.sent.map((n) => [n.kind, n.incidentKey])).toEqual([['report', 'guest.crashed:101']]);
    expect(await startCalls(t)).toEqual([]);
    expect(t.lab.state.getGuest(101)?.status).toBe('stopped');
  });
});

describe('flapping', () => {
  it('the opening that reaches the flapping count is not acted on, and says so once', async () => {
    t = await startMonitorLab({
      monitorYaml: '  flapping: { openings: 3, windowMinutes: 60 }\n  guardrails: { maxAttempts: 10 }',
    });
    await t.cycle('critical');
    for (let i = 0; i < 2; i++) {
      t.lab.state.crashGuest(100);
      await t.cycle('critical');
      expect(t.lab.state.getGuest(100)?.status).toBe('running');
      t.advance(120_000); // past the cooldown
    }
    t.lab.state.crashGuest(100);
    await t.cycle('critical');
    await t.cycle('critical');
    expect(t.lab.state.getGuest(100)?.status).toBe('stopped');
    const active = await t.monitor.store.activeIncidents();
    expect(active).toHaveLength(1);
    expect(active[0]!.flapping).toBe(true);
    expect(t.sent.filter((n) => /flapping/.test(n.subject))).toHaveLength(1);
    expect(await startCalls(t)).toHaveLength(2);
  });
});

describe('self-watch', () => {
  it('reports a schedule that missed two intervals once, and clears when it runs again', async () => {
    t = await startMonitorLab();
    const since = t.now();
    await t.cycle('critical', 'routine');
    expect(await t.monitor.selfCheck(since)).toEqual([]);
    t.advance(3_000); // critical every 1 s in the harness: two intervals missed
    expect(await t.monitor.selfCheck(since)).toEqual(['critical']);
    expect(await t.monitor.selfCheck(since)).toEqual(['critical']);
    expect(t.sent.filter((n) => n.kind === 'escalation').map((n) => n.incidentKey)).toEqual([
      'monitor.schedule:critical',
    ]);
    expect(await t.monitor.status(true, since)).toMatchObject({ degraded: true });
    await t.cycle('critical');
    expect(await t.monitor.selfCheck(since)).toEqual([]);
  });
});

describe('config', () => {
  it('schedules that node-cron cannot space evenly and bad cron expressions are config errors', async () => {
    t = await startMonitorLab();
    const file = join(t.dir, 'bad.yaml');
    const base = `auth: { assistantToken: aaaaaaaaaaaaaaaaaaaa, operatorToken: bbbbbbbbbbbbbbbbbbbb }\n`;
    writeFileSync(file, `${base}monitor: { schedules: { criticalSeconds: 7, daily: "nope" } }\n`);
    const err = (() => {
      try {
        loadConfig(file, {});
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    const issues = (err as ConfigError).issues.join('\n');
    expect(issues).toMatch(/monitor\.schedules\.criticalSeconds: expected seconds that divide a minute/);
    expect(issues).toMatch(/monitor\.schedules\.daily: expected a cron expression/);
    expect(cronForSeconds(15)).toBe('*/15 * * * * *');
    expect(cronForSeconds(300)).toBe('0 */5 * * * *');
    expect(cronForSeconds(7200)).toBe('0 0 */2 * * *');
  });
});
