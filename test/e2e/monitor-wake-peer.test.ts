// Pins wake_node through a live Proxmox peer (nodes[].wol.via: proxmox) against the lab: an unreachable node is woken by POST /nodes/{node}/wakeonlan on the API's node, boots and the incident resolves; the local node itself cannot be woken that way.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMonitorLab, type MonitorLab } from '../monitor/harness.js';

let t: MonitorLab;
beforeEach(async () => {
  t = await startMonitorLab({ wolVia: 'proxmox' });
  await t.cycle('critical');
});
afterEach(async () => {
  await t.close();
});

describe('wake_node via a Proxmox peer', () => {
  it('wakes an unreachable node through the API node and verifies it online', async () => {
    t.lab.state.setNodeOnline('pve3', false);
    await t.cycle('critical');
    await t.cycle('critical');
    const inc = (await t.monitor.store.listIncidents({ limit: 10 })).find((i) => i.key === 'node.unreachable:pve3');
    expect(inc?.status).toBe('resolved');
    const audit = await t.core.stores.audit.list({ limit: 10, tool: 'wake_node' });
    expect(audit[0]).toMatchObject({ callerKind: 'monitor', outcome: 'ok' });
    expect(t.lab.state.getNode('pve3')?.online).toBe(true);
  });

  it('says why Proxmox cannot wake its own node', async () => {
    const r = await t.core.pipeline.executeTool('wake_node', { node: 'pve1' }, { kind: 'operator', id: 'test' });
    expect(r.kind === 'result' && r.text).toContain(
      "failed to wake pve1 through Proxmox (POST /nodes/pve1/wakeonlan): 'pve1' is local node, cannot wake my self!",
    );
  });
});
