// Pins the node tools against the lab: reads, task listing with filters, reboot/shutdown requests, kill-switch re-check and failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getNodeStatus,
  listNodes,
  listStorage,
  listTasks,
  rebootNode,
  shutdownNode,
} from '../../../src/mcp/tools/nodes.js';
import { failureOf, makeCtx, run, startHarness, type ProxmoxHarness } from './cluster-helpers.js';

let h: ProxmoxHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
const ctx = () => makeCtx({ proxmox: h.client });
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

describe('node reads', () => {
  it('list_nodes, get_node_status, list_storage', async () => {
    const nodes = await run(listNodes, {}, ctx());
    expect(nodes.text.split('\n')).toHaveLength(3);
    expect(nodes.text).toMatch(/^pve1: online, up /);
    const st = await run(getNodeStatus, { node: 'pve1' }, ctx());
    expect(st.text).toMatch(/^pve1: up .*, load \d+\.\d+ \d+\.\d+ \d+\.\d+/);
    expect(st.data).toMatchObject({ node: 'pve1', pveversion: expect.stringContaining('pve-manager/') });
    const storage = await run(listStorage, { node: 'pve1' }, ctx());
    expect(storage.text).toContain('local (dir; backup,vztmpl,iso)');
    expect(await failureOf(run(getNodeStatus, { node: 'pve9' }, ctx()))).toBe(
      "failed to read the status of node pve9: no such cluster node 'pve9'",
    );
  });

  it('list_tasks shows an operator stop, filters by vmid and type, and reports the total', async () => {
    h.lab.state.operatorStop(105);
    h.lab.state.crashGuest(104);
    const out = await run(listTasks, { node: 'pve2' }, ctx());
    expect(out.text).toMatch(/ vzstop 105 by root@pam: OK$/);
    expect(out.data).toMatchObject({ total: 1 });
    expect((await run(listTasks, { node: 'pve2', vmid: 104 }, ctx())).text).toBe('no matching tasks on pve2');
    expect((await run(listTasks, { node: 'pve2', type: 'qmstart' }, ctx())).text).toBe('no matching tasks on pve2');
    expect((await run(listTasks, { node: 'pve2', since_minutes: 5 }, ctx())).data).toMatchObject({ total: 1 });
  });

  it('rejects malformed node names and vmids at the schema', () => {
    expect(listTasks.input.safeParse({ node: '../etc' }).success).toBe(false);
    expect(listTasks.input.safeParse({ node: 'pve1', vmid: 99 }).success).toBe(false);
  });
});

describe('reboot_node and shutdown_node', () => {
  it('reboot re-checks the kill switch, then the node goes offline and comes back', async () => {
    const c = ctx();
    const out = await run(rebootNode, { node: 'pve3' }, c);
    expect(c.acts).toBe(1);
    expect(out.text).toMatch(/^asked node pve3 to reboot: /);
    await until(() => !h.lab.state.getNode('pve3')!.online);
    await until(() => h.lab.state.getNode('pve3')!.online);
  });

  it('a flipped kill switch stops the request before it is sent', async () => {
    const msg = await failureOf(run(shutdownNode, { node: 'pve1' }, makeCtx({ proxmox: h.client, killSwitch: true })));
    expect(msg).toMatch(/^blocked by the kill switch/);
    await new Promise((r) => setTimeout(r, 60));
    expect(h.lab.state.getNode('pve1')!.online).toBe(true);
  });

  it('shutdown powers the node off until woken; an offline node fails with 595', async () => {
    await run(shutdownNode, { node: 'pve2' }, ctx());
    await until(() => !h.lab.state.getNode('pve2')!.online);
    expect(await failureOf(run(rebootNode, { node: 'pve2' }, ctx()))).toBe(
      'failed to reboot node pve2: node pve2 unreachable (595 No route to host)',
    );
    expect(h.lab.state.wakeByMac(h.lab.state.getNode('pve2')!.mac)).toBe(true);
    await until(() => h.lab.state.getNode('pve2')!.online);
  });
});
