// Pins the node power tools end to end against the lab: red reboot/shutdown after elicitation, yellow wake_node over loopback Wake-on-LAN bringing a powered-off node back (and blocked by the kill switch), offline and unknown-node failures with one audit row each; the history tools see it all.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Lab } from '../../src/lab/index.js';
import {
  call,
  confirmingClient,
  eventually,
  labControl,
  startFastLab,
  startLabVigil,
  type LabVigil,
} from './tools-lab.js';

describe('node tools against the lab', () => {
  let lab: Lab;
  let lv: LabVigil;
  let client: Client;
  let red: Client;
  const node = (name: string) => lab.state.getNode(name)!;

  beforeAll(async () => {
    lab = await startFastLab();
    lv = await startLabVigil(lab);
    client = await lv.vigil.connect();
    red = (await confirmingClient(lv.vigil)).client;
  });
  afterEach(async () => {
    for (const n of lab.state.listNodes()) lab.state.setNodeOnline(n.name, true);
  });
  afterAll(async () => {
    await lv?.close();
    await lab?.close();
  });

  it('reboot_node (red, confirmed) takes the node down and it comes back', async () => {
    const before = node('pve2').startedAt;
    const r = await call(lv.vigil, red, 'reboot_node', { node: 'pve2' });
    expect(r).toMatchObject({ isError: false, audit: { tier: 'red', decision: 'allowed', outcome: 'ok' } });
    expect(r.text).toMatch(/^asked node pve2 to reboot: /);
    await eventually('pve2 to reboot', () => node('pve2').online && node('pve2').startedAt !== before);
  });

  it('shutdown_node powers the node off, and wake_node boots it again over Wake-on-LAN', async () => {
    const off = await call(lv.vigil, red, 'shutdown_node', { node: 'pve2' });
    expect(off.isError).toBe(false);
    await eventually('pve2 to power off', () => !node('pve2').online);
    // It stays off: nothing but a magic packet (or a hand) turns it on.
    await new Promise((r) => setTimeout(r, lab.state.bootMs + 50));
    expect(node('pve2')).toMatchObject({ online: false, bootingUntil: null });

    const wake = await call(lv.vigil, client, 'wake_node', { node: 'pve2' });
    expect(wake).toMatchObject({
      isError: false,
      audit: { tier: 'yellow', outcome: 'ok' },
      data: { node: 'pve2', mac: '02:00:00:00:00:02', address: '127.0.0.1' },
    });
    expect(wake.text).toMatch(
      /^sent Wake-on-LAN packets for pve2 \(02:00:00:00:00:02\) to 127\.0\.0\.1:\d+; it answers once it has booted$/,
    );
    await eventually('pve2 to boot', () => node('pve2').online);
    const status = await call(lv.vigil, client, 'get_node_status', { node: 'pve2' });
    expect(status.isError).toBe(false);
  });

  it('wake_node on a downed node (control API) brings it back', async () => {
    await labControl(lab, 'POST', '/_lab/nodes/pve1/down');
    expect(node('pve1').online).toBe(false);
    expect((await call(lv.vigil, client, 'wake_node', { node: 'pve1' })).isError).toBe(false);
    await eventually('pve1 to boot', () => node('pve1').online);
    const state = await labControl(lab, 'GET', '/_lab/state');
    expect(state.body.nodes.find((n: { name: string }) => n.name === 'pve1')).toMatchObject({
      online: true,
      booting: false,
    });
  });

  it('power commands to an offline node fail with 595', async () => {
    await labControl(lab, 'POST', '/_lab/nodes/pve2/down');
    const r = await call(lv.vigil, red, 'shutdown_node', { node: 'pve2' });
    expect(r).toMatchObject({ isError: true, audit: { outcome: 'error' } });
    expect(r.text).toBe('failed to shut down node pve2: node pve2 unreachable (595 No route to host)');
    const reboot = await call(lv.vigil, red, 'reboot_node', { node: 'pve2' });
    expect(reboot.text).toBe('failed to reboot node pve2: node pve2 unreachable (595 No route to host)');
  });

  it('wake_node for a node that is not configured fails and names the configured ones', async () => {
    const r = await call(lv.vigil, client, 'wake_node', { node: 'pve9' });
    expect(r).toMatchObject({
      isError: true,
      text: 'unknown node "pve9"; configured nodes: pve1, pve2',
      audit: { outcome: 'error' },
    });
  });

  it('a kill switch (scope all) blocks wake_node before any packet, audited as blocked', async () => {
    const on = await call(lv.vigil, client, 'set_kill_switch', { active: true, scope: 'all', reason: 'e2e' });
    expect(on.isError).toBe(false);
    await labControl(lab, 'POST', '/_lab/nodes/pve2/down');
    try {
      const r = await call(lv.vigil, client, 'wake_node', { node: 'pve2' });
      expect(r).toMatchObject({ isError: true, audit: { decision: 'blocked', outcome: 'not_run' } });
      await new Promise((res) => setTimeout(res, lab.state.bootMs + 50));
      expect(node('pve2')).toMatchObject({ online: false, bootingUntil: null });
    } finally {
      expect((await lv.vigil.api('PUT', '/api/monitor/killswitch', { active: false })).status).toBe(200);
    }
  });

  it('the history tools show the calls, each audited once', async () => {
    const log = await call(lv.vigil, client, 'get_audit_log', { tool: 'wake_node', limit: 5 });
    expect(log.isError).toBe(false);
    expect(log.text).toContain('wake_node');
    expect((await call(lv.vigil, client, 'get_events', { limit: 5 })).isError).toBe(false);
    expect((await call(lv.vigil, client, 'get_monitor_status')).isError).toBe(false);
    expect(await lv.vigil.core.stores.audit.verify()).toMatchObject({ ok: true });
  });
});
