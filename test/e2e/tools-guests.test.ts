// Pins the cluster and guest tools end to end (real MCP client → vigil → clients from the lab-written config → lab): reads, yellow and red (elicitation) power actions, and their failures — locked guest, task error, offline node, 403 — each an isError result saying what and why, with exactly one audit row.
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

// The lab (2 nodes × 2 guests): 100 VM and 101 CT on pve1; 102 VM and 103 CT (HA-managed) on pve2.
describe('cluster and guest tools against the lab', () => {
  let lab: Lab;
  let lv: LabVigil;
  let client: Client;
  let red: Client;
  let asked: string[];
  const guest = (vmid: number) => lab.state.getGuest(vmid)!;

  beforeAll(async () => {
    lab = await startFastLab();
    lv = await startLabVigil(lab);
    client = await lv.vigil.connect();
    ({ client: red, asked } = await confirmingClient(lv.vigil));
  });
  afterEach(async () => {
    for (const n of lab.state.listNodes()) lab.state.setNodeOnline(n.name, true);
    for (const g of lab.state.listGuests()) {
      lab.state.lockGuest(g.vmid, null);
      if (g.status !== 'running') lab.state.setGuestStatus(g.vmid, 'running', 'test');
      if (g.ha.managed) g.ha.state = 'started';
    }
  });
  afterAll(async () => {
    await lv?.close();
    await lab?.close();
  });

  it('reads the cluster, nodes, storage, tasks and guests', async () => {
    const cluster = await call(lv.vigil, client, 'get_cluster_status');
    expect(cluster).toMatchObject({ isError: false });
    expect(cluster.text).toContain('vigil-lab');
    expect(cluster.audit).toMatchObject({ decision: 'allowed', outcome: 'ok', tier: 'green', callerKind: 'assistant' });
    expect((await call(lv.vigil, client, 'list_nodes')).text).toMatch(/pve1[\s\S]*pve2/);
    expect((await call(lv.vigil, client, 'get_node_status', { node: 'pve1' })).isError).toBe(false);
    expect((await call(lv.vigil, client, 'list_storage', { node: 'pve1' })).isError).toBe(false);
    const guests = await call(lv.vigil, client, 'list_guests');
    expect(guests.data.guests.map((g: { vmid: number }) => g.vmid)).toEqual([100, 101, 102, 103]);
    const status = await call(lv.vigil, client, 'get_guest_status', { node: 'pve2', vmid: 103 });
    expect(status.text).toMatch(/^CT 103 .* on pve2: running.*HA-managed \(started\)/);
    expect((await call(lv.vigil, client, 'list_tasks', { node: 'pve1' })).isError).toBe(false);
  });

  it('starts a crashed guest (yellow) and says so when there is nothing to do', async () => {
    await labControl(lab, 'POST', '/_lab/guests/100/crash');
    expect(guest(100).status).toBe('stopped');
    const started = await call(lv.vigil, client, 'start_guest', { node: 'pve1', vmid: 100 });
    expect(started).toMatchObject({ isError: false, data: { status: 'running', changed: true } });
    expect(started.text).toMatch(/^started VM 100 'web' on pve1 \(task OK\)$/);
    expect(started.audit).toMatchObject({ tier: 'yellow', outcome: 'ok' });
    expect(guest(100).status).toBe('running');
    const again = await call(lv.vigil, client, 'start_guest', { node: 'pve1', vmid: 100 });
    expect(again.text).toContain('is already running; nothing to do');
    expect((await call(lv.vigil, client, 'resume_guest', { node: 'pve1', vmid: 100 })).text).toContain(
      'nothing to resume',
    );
  });

  it('runs red guest actions after the user confirms through elicitation', async () => {
    const stopped = await call(lv.vigil, red, 'stop_guest', { node: 'pve1', vmid: 101 });
    expect(stopped).toMatchObject({ isError: false, audit: { tier: 'red', decision: 'allowed', outcome: 'ok' } });
    expect(asked.at(-1)).toContain('hard-stop guest 101 on pve1');
    expect(guest(101).status).toBe('stopped');
    const shut = await call(lv.vigil, red, 'shutdown_guest', { node: 'pve1', vmid: 100, timeout_seconds: 30 });
    expect(shut).toMatchObject({ isError: false, data: { status: 'stopped' } });
    lab.state.setGuestStatus(100, 'running', 'test');
    const before = guest(100).startedAt;
    const rebooted = await call(lv.vigil, red, 'reboot_guest', { node: 'pve1', vmid: 100 });
    expect(rebooted.text).toBe("rebooted VM 100 'web' on pve1 (task OK)");
    expect(guest(100).startedAt).not.toBe(before);
    const tasks = await call(lv.vigil, client, 'list_tasks', { node: 'pve1', vmid: 100 });
    expect(tasks.text).toMatch(/qmreboot 100 by root@pam!vigil: OK/);
  });

  it('stops an HA-managed guest through the HA manager and waits for it', async () => {
    const r = await call(lv.vigil, red, 'stop_guest', { node: 'pve2', vmid: 103 });
    expect(r).toMatchObject({ isError: false, data: { haManaged: true, status: 'stopped' } });
    expect(r.text).toContain('(HA manager, task OK)');
    expect(guest(103).status).toBe('stopped');
  });

  it('fails on a locked guest: the task error says why', async () => {
    await labControl(lab, 'POST', '/_lab/guests/101/crash');
    expect((await labControl(lab, 'POST', '/_lab/guests/101/lock', { lock: 'backup' })).status).toBe(200);
    const r = await call(lv.vigil, client, 'start_guest', { node: 'pve1', vmid: 101 });
    expect(r.isError).toBe(true);
    expect(r.text).toBe('failed to start CT 101 on pve1: CT is locked (backup)');
    expect(r.audit).toMatchObject({ outcome: 'error', error: r.text });
    expect(guest(101).status).toBe('stopped');
    const errors = await call(lv.vigil, client, 'list_tasks', { node: 'pve1', errors_only: true });
    expect(errors.text).toMatch(/vzstart 101 by root@pam!vigil: CT is locked \(backup\)/);
    // Red too: the confirmed reboot of a locked VM fails in its task.
    await labControl(lab, 'POST', '/_lab/guests/100/lock', { lock: 'snapshot' });
    const reboot = await call(lv.vigil, red, 'reboot_guest', { node: 'pve1', vmid: 100 });
    expect(reboot).toMatchObject({
      isError: true,
      text: 'failed to reboot VM 100 on pve1: VM is locked (snapshot)',
      audit: { tier: 'red', outcome: 'error' },
    });
  });

  it('fails when the HA manager cannot act on a locked HA guest', async () => {
    await labControl(lab, 'POST', '/_lab/guests/103/lock', { lock: 'backup' });
    const r = await call(lv.vigil, red, 'stop_guest', { node: 'pve2', vmid: 103 });
    expect(r.isError).toBe(true);
    expect(r.text).toBe(
      'failed to stop CT 103 on pve2: HA manager put ct:103 in state error (guest is locked: backup)',
    );
    expect(r.audit.outcome).toBe('error');
  });

  it('reports Proxmox refusing an action (500) with its reason', async () => {
    await labControl(lab, 'POST', '/_lab/guests/102/crash');
    const r = await call(lv.vigil, client, 'resume_guest', { node: 'pve2', vmid: 102 });
    expect(r).toMatchObject({ isError: true, text: 'failed to resume VM 102 on pve2: VM 102 not running' });
  });

  it('fails on an offline node: 595 for node reads, unknown guests for actions', async () => {
    expect((await labControl(lab, 'POST', '/_lab/nodes/pve2/down')).status).toBe(200);
    const node = await call(lv.vigil, client, 'get_node_status', { node: 'pve2' });
    expect(node).toMatchObject({ isError: true, audit: { outcome: 'error' } });
    expect(node.text).toMatch(/^failed to .*pve2.*: node pve2 unreachable \(595 No route to host\)$/);
    const guests = await call(lv.vigil, client, 'list_guests', { node: 'pve2' });
    expect(guests.text).toMatch(/VM 102.* on pve2: unknown/);
    const start = await call(lv.vigil, client, 'start_guest', { node: 'pve2', vmid: 102 });
    expect(start).toMatchObject({
      isError: true,
      text: 'failed to start VM 102 on pve2: node pve2 does not report the guest (status unknown; is the node offline?)',
    });
    const cluster = await call(lv.vigil, client, 'get_cluster_status');
    expect(cluster.isError).toBe(false);
  });

  it('refuses a guest named on the wrong node', async () => {
    const r = await call(lv.vigil, client, 'start_guest', { node: 'pve2', vmid: 100 });
    expect(r).toMatchObject({ isError: true, text: 'failed to start VM 100 on pve2: it is on node pve1, not pve2' });
  });

  describe("with the lab's no-privilege token", () => {
    let weak: LabVigil;
    let weakClient: Client;
    let weakRed: Client;
    beforeAll(async () => {
      weak = await startLabVigil(lab, { token: 'noPriv' });
      weakClient = await weak.vigil.connect();
      weakRed = (await confirmingClient(weak.vigil)).client;
    });
    afterAll(() => weak?.close());

    it('reads fail with 403 naming the missing privilege', async () => {
      const r = await call(weak.vigil, weakClient, 'get_cluster_status');
      expect(r.isError).toBe(true);
      expect(r.text).toMatch(/Proxmox denied GET \/cluster\/status: the API token lacks Sys\.Audit on \/ \(403 /);
      expect(r.audit).toMatchObject({ outcome: 'error' });
      const node = await call(weak.vigil, weakClient, 'get_node_status', { node: 'pve1' });
      expect(node.text).toContain('lacks Sys.Audit on /nodes/pve1');
    });

    it('actions fail with 403 too, and nothing changes', async () => {
      const r = await call(weak.vigil, weakRed, 'stop_guest', { node: 'pve1', vmid: 100 });
      expect(r.isError).toBe(true);
      expect(r.text).toMatch(/VM\.(Audit|PowerMgmt) on \/vms\/100/);
      expect(r.audit).toMatchObject({ tier: 'red', outcome: 'error' });
      const reboot = await call(weak.vigil, weakRed, 'reboot_node', { node: 'pve1' });
      expect(reboot).toMatchObject({ isError: true });
      expect(reboot.text).toContain('lacks Sys.PowerMgmt on /nodes/pve1');
      await eventually('the lab to settle', () => lab.state.getNode('pve1')!.online);
      expect(guest(100).status).toBe('running');
    });
  });
});
