// Pins node.unreachable (woken by WoL, its guests silent meanwhile), service.failed (restarted) and http.down (its mapped service restarted) against the lab.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startMonitorLab, type MonitorLab } from '../monitor/harness.js';

let t: MonitorLab | undefined;
let server: Server | undefined;
afterEach(async () => {
  await t?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  t = undefined;
  server = undefined;
});

const keys = async (m: MonitorLab) =>
  (await m.monitor.store.listIncidents({ limit: 50 })).map((i) => [i.key, i.status]);

describe('node.unreachable', () => {
  it('wakes an offline node with WoL after two polls; its guests raise nothing meanwhile', async () => {
    t = await startMonitorLab();
    await t.cycle('critical');
    t.lab.state.setNodeOnline('pve2', false);
    await t.cycle('critical');
    expect(await keys(t)).toEqual([]); // one poll is not enough (debounce)
    await t.cycle('critical');
    expect(t.lab.state.getNode('pve2')?.online).toBe(true);
    expect(await keys(t)).toEqual([['node.unreachable:pve2', 'resolved']]);
    const [action] = await t.monitor.store.recentActions({ limit: 5 });
    expect(action).toMatchObject({ tool: 'wake_node', result: 'succeeded', args: { node: 'pve2' } });
    // Its guests came back with the node: no guest incident during or after.
    await t.cycle('critical');
    expect(await keys(t)).toEqual([['node.unreachable:pve2', 'resolved']]);
    expect((await t.core.stores.audit.list({ limit: 50 })).map((r) => r.tool)).toEqual(['wake_node']);
  });
});

describe('service.failed and http.down', () => {
  it('restarts a failed service', async () => {
    t = await startMonitorLab();
    t.lab.state.setServiceState('pve1', 'nginx.service', 'failed');
    await t.cycle('routine');
    expect(t.lab.state.serviceState('pve1', 'nginx.service')).toBe('active');
    expect(await keys(t)).toEqual([['service.failed:pve1/nginx.service', 'resolved']]);
    expect((await t.monitor.store.recentActions({ limit: 5 }))[0]).toMatchObject({
      tool: 'restart_service',
      result: 'succeeded',
      args: { node: 'pve1', service: 'nginx.service' },
    });
  });

  it('restarts the service an HTTP check maps to after N consecutive failures', async () => {
    const ref: { lab?: MonitorLab['lab'] } = {};
    server = createServer((_req, res) => {
      const up = ref.lab?.state.serviceState('pve3', 'pveproxy.service') === 'active';
      res.writeHead(up ? 200 : 503).end(up ? 'ok' : 'down');
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    t = await startMonitorLab({
      services: ['nginx.service', 'pveproxy.service'],
      monitorYaml: '  thresholds: { httpFailures: 2 }',
      yaml: `httpChecks:\n  - { name: web, url: "http://127.0.0.1:${port}/", node: pve3, service: pveproxy.service }`,
    });
    ref.lab = t.lab;
    t.lab.state.setServiceState('pve3', 'pveproxy.service', 'inactive');
    await t.cycle('routine');
    expect(await keys(t)).toEqual([]);
    await t.cycle('routine');
    expect(t.lab.state.serviceState('pve3', 'pveproxy.service')).toBe('active');
    expect(await keys(t)).toEqual([['http.down:web', 'resolved']]);
    expect((await t.monitor.store.recentActions({ limit: 5 }))[0]).toMatchObject({
      runbook: 'restart-http-backend',
      tool: 'restart_service',
      result: 'succeeded',
    });
  });
});
