// Pins /metrics: per-app registry, tool calls by tool/tier/decision from the audit log (all processes), durations, remediations, and gauges read from the outbox and monitor tables.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore } from '../../src/core.js';
import { loadConfig } from '../../src/config/index.js';
import { startHttp } from '../../src/api/app.js';
import { silentLogger, startTestVigil, type TestVigil } from '../helpers/vigil.js';

let vigil: TestVigil;
beforeEach(async () => {
  vigil = await startTestVigil();
});
afterEach(async () => {
  await vigil.close();
});

async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}

/** The value of one sample line, e.g. `vigil_tool_calls_total{decision="allowed",tier="green",tool="get_events"}`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('/metrics', () => {
  it('needs no token and counts tool calls by tool, tier and decision, with durations', async () => {
    await vigil.api('POST', '/api/tools/get_events', {});
    await vigil.api('POST', '/api/tools/get_events', {});
    await vigil.api('PUT', '/api/monitor/killswitch', { active: true });
    await vigil.api('POST', '/api/tools/no_such_tool_xyz', {});
    const text = await scrape(vigil.url);
    expect(sample(text, 'vigil_tool_calls_total', { tool: 'get_events', tier: 'green', decision: 'allowed' })).toBe(2);
    expect(
      sample(text, 'vigil_tool_calls_total', { tool: 'set_kill_switch', tier: 'yellow', decision: 'allowed' }),
    ).toBe(1);
    // Unknown names are folded into one series: a caller cannot grow the label set.
    expect(sample(text, 'vigil_tool_calls_total', { tool: '(unknown)', decision: 'unknown_tool' })).toBe(1);
    expect(text).not.toContain('no_such_tool_xyz');
    expect(sample(text, 'vigil_tool_call_duration_seconds_count', { tool: 'get_events' })).toBe(2);
    expect(sample(text, 'vigil_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counts calls made by another process sharing the database', async () => {
    const other = createCore({ config: loadConfig(vigil.configFile, {}), logger: silentLogger });
    try {
      await other.pipeline.executeTool('get_audit_log', {}, { kind: 'assistant', id: 'elsewhere' });
    } finally {
      await other.close();
    }
    const text = await scrape(vigil.url);
    expect(sample(text, 'vigil_tool_calls_total', { tool: 'get_audit_log', decision: 'allowed' })).toBe(1);
  });

  it('counts remediations by runbook and result from remediation events', async () => {
    const publish = async (type: 'remediation.succeeded' | 'remediation.failed', runbook: string) =>
      await vigil.core.bus.publish({ type, severity: 'info', title: 't', message: '', data: { runbook } });
    await publish('remediation.succeeded', 'restart_crashed_guest');
    await publish('remediation.succeeded', 'restart_crashed_guest');
    await publish('remediation.failed', 'clean_full_disk');
    const text = await scrape(vigil.url);
    expect(sample(text, 'vigil_remediations_total', { runbook: 'restart_crashed_guest', result: 'succeeded' })).toBe(2);
    expect(sample(text, 'vigil_remediations_total', { runbook: 'clean_full_disk', result: 'failed' })).toBe(1);
  });

  it('reports the notification outbox depth from the outbox table', async () => {
    const outbox = vigil.core.stores.outbox;
    await outbox.add(
      [1, 2, 3].map((n) => ({
        channel: 'email',
        kind: 'report' as const,
        incidentKey: null,
        payload: { subject: `s${n}`, body: 'b' },
      })),
      Date.now(),
    );
    expect(sample(await scrape(vigil.url), 'vigil_notification_outbox_depth')).toBe(3);
  });

  it('a single daemon on SQLite leads, without an epoch, and its database is reachable', async () => {
    const text = await scrape(vigil.url);
    expect(sample(text, 'vigil_leader')).toBe(1);
    expect(sample(text, 'vigil_leader_epoch')).toBe(0);
    expect(sample(text, 'vigil_database_reachable')).toBe(1);
  });

  it('keeps one registry per app: two daemons in one process do not share counters', async () => {
    const second = await startTestVigil();
    try {
      await vigil.api('POST', '/api/tools/get_events', {});
      const text = await scrape(second.url);
      expect(sample(text, 'vigil_tool_calls_total', { tool: 'get_events' })).toBeUndefined();
    } finally {
      await second.close();
    }
  });

  it('reports open incidents by condition and the last monitor cycles from the monitor tables', async () => {
    const store = vigil.core.stores.monitor;
    const open = async (condition: 'guest.crashed' | 'disk.high', target: string) =>
      await store.openIncident(
        {
          key: `${condition}:${target}`,
          condition,
          target,
          node: 'pve1',
          severity: 'warning',
          summary: 's',
          details: {},
          flapping: false,
        },
        Date.now(),
      );
    await open('guest.crashed', '101');
    await open('guest.crashed', '102');
    const resolved = open('disk.high', 'pve1');
    await store.resolveIncident((await resolved).id, Date.now());
    await store.recordRun({
      kind: 'critical',
      holder: 'h',
      startedAt: 1_000,
      finishedAt: 1_250,
      durationMs: 250,
      error: null,
      summary: null,
    });
    const text = await scrape(vigil.url);
    expect(sample(text, 'vigil_open_incidents', { condition: 'guest.crashed' })).toBe(2);
    expect(sample(text, 'vigil_open_incidents', { condition: 'disk.high' })).toBeUndefined();
    expect(sample(text, 'vigil_monitor_last_cycle_duration_seconds', { kind: 'critical' })).toBe(0.25);
    expect(sample(text, 'vigil_monitor_last_cycle_finished_seconds', { kind: 'critical' })).toBe(1.25);
    expect(sample(text, 'vigil_event_stream_clients')).toBe(0);
  });

  it('takes providers passed to startHttp over the tables', async () => {
    const app = await startHttp(vigil.core, '127.0.0.1', 0, {
      metricsSources: {
        openIncidents: () => [{ condition: 'guest.crashed' }, { condition: 'disk.high' }],
        outboxDepth: () => 7,
      },
    });
    try {
      const text = await scrape(app.url);
      expect(sample(text, 'vigil_open_incidents', { condition: 'disk.high' })).toBe(1);
      expect(sample(text, 'vigil_notification_outbox_depth')).toBe(7);
    } finally {
      await app.close();
    }
  });
});
