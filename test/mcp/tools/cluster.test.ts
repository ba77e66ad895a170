// Pins get_cluster_status against the lab: summary, offline nodes and stopped guests as problems, and the unconfigured case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getClusterStatus } from '../../../src/mcp/tools/cluster.js';
import { failureOf, makeCtx, run, startHarness, type ProxmoxHarness } from './cluster-helpers.js';

let h: ProxmoxHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('get_cluster_status', () => {
  it('summarises a healthy cluster', async () => {
    const out = await run(getClusterStatus, {}, makeCtx({ proxmox: h.client }));
    expect(out.text).toContain('cluster vigil-lab: quorate, 3/3 nodes online');
    expect(out.text).toContain('guests: 12 running, 0 stopped, 0 unknown');
    expect(out.text).toContain('nothing needs attention');
    expect(out.data).toMatchObject({ guests: { running: 12, total: 12 }, problems: [] });
  });

  it('names an offline node, its unknown guests, a stopped guest and a lock', async () => {
    h.lab.state.setNodeOnline('pve2', false);
    h.lab.state.crashGuest(100);
    h.lab.state.lockGuest(101, 'backup');
    const out = await run(getClusterStatus, {}, makeCtx({ proxmox: h.client }));
    expect(out.text).toContain('2/3 nodes online');
    expect(out.text).toContain('pve2: offline (4 guests unreachable)');
    expect(out.text).toContain('guests: 7 running, 1 stopped, 4 unknown');
    expect(out.data!.problems).toEqual([
      'node pve2 is offline',
      "VM 100 'web' on pve1 is stopped",
      'CT 101 on pve1 is locked (backup)',
    ]);
    h.lab.state.setNodeOnline('pve2', true);
    h.lab.state.lockGuest(101, null);
  });

  it('fails clearly when Proxmox is not configured', async () => {
    expect(await failureOf(run(getClusterStatus, {}, makeCtx()))).toBe(
      'Proxmox is not configured (add a proxmox: section to vigil.yaml)',
    );
  });
});
