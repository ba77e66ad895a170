// Pins the guest tools against the lab: QEMU and LXC, task waits, HA waits, locks, idempotent no-ops, kill-switch re-check, failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getGuestStatus,
  listGuests,
  rebootGuest,
  resumeGuest,
  shutdownGuest,
  startGuest,
  stopGuest,
} from '../../../src/mcp/tools/guests.js';
import { pino } from 'pino';
import { createProxmoxClient } from '../../../src/clients/proxmox/index.js';
import { failureOf, makeCtx, run, startHarness, type ProxmoxHarness } from './cluster-helpers.js';

let h: ProxmoxHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
const ctx = () => makeCtx({ proxmox: h.client });

describe('guest reads', () => {
  it('list_guests for the cluster and for one node', async () => {
    const all = await run(listGuests, {}, ctx());
    expect(all.text.split('\n')).toHaveLength(12);
    expect(all.text.split('\n')[0]).toMatch(/^VM 100 'web' on pve1: running, up /);
    const one = await run(listGuests, { node: 'pve3' }, ctx());
    expect(one.text).toMatch(/CT 109 'ci' on pve3: running, .*HA started/);
    expect((one.data!.guests as unknown[]).length).toBe(4);
  });

  it('get_guest_status for a VM and a container; a wrong node or a missing guest fails', async () => {
    expect((await run(getGuestStatus, { node: 'pve1', vmid: 100 }, ctx())).data).toMatchObject({
      type: 'qemu',
      status: 'running',
    });
    const ct = await run(getGuestStatus, { node: 'pve3', vmid: 109 }, ctx());
    expect(ct.text).toContain('HA-managed (started)');
    expect(await failureOf(run(getGuestStatus, { node: 'pve2', vmid: 100 }, ctx()))).toBe(
      'failed to read the status of VM 100 on pve2: it is on node pve1, not pve2',
    );
    expect(await failureOf(run(getGuestStatus, { node: 'pve1', vmid: 4242 }, ctx()))).toBe(
      'failed to read the status of guest 4242 on pve1: no guest 4242 exists in the cluster',
    );
  });
});

describe('a token without VM.Audit', () => {
  it('gets the 403 that names the privilege, not "no such guest" (the cluster list hides what it may not see)', async () => {
    const weak = createProxmoxClient({
      url: h.lab.url,
      tokenId: h.lab.noPrivToken.id,
      tokenSecret: h.lab.noPrivToken.secret,
      tls: { fingerprint: h.lab.fingerprint },
      timeoutMs: 5000,
      logger: pino({ level: 'silent' }),
      backoffMs: 1,
    });
    try {
      const c = makeCtx({ proxmox: weak });
      expect(await failureOf(run(stopGuest, { node: 'pve1', vmid: 100 }, c))).toMatch(
        /^failed to stop guest 100 on pve1: Proxmox denied GET \/nodes\/pve1\/qemu\/100\/status\/current: the API token lacks VM\.Audit on \/vms\/100 \(403 /,
      );
      expect(c.acts).toBe(0);
      expect(h.lab.state.getGuest(100)?.status).toBe('running');
      // With the privilege, a guest that does not exist is still reported as such.
      expect(await failureOf(run(startGuest, { node: 'pve1', vmid: 4242 }, ctx()))).toBe(
        'failed to start guest 4242 on pve1: no guest 4242 exists in the cluster',
      );
    } finally {
      weak.close();
    }
  });
});

describe('power actions', () => {
  it('start_guest starts a crashed VM and reports the task', async () => {
    h.lab.state.crashGuest(100);
    const c = ctx();
    const out = await run(startGuest, { node: 'pve1', vmid: 100 }, c);
    expect(out.text).toBe("started VM 100 'web' on pve1 (task OK)");
    expect(c.acts).toBe(1);
    expect(h.lab.state.getGuest(100)!.status).toBe('running');
    expect(out.data).toMatchObject({ type: 'qemu', exitstatus: 'OK', changed: true });
  });

  it('start_guest on a locked guest fails with Proxmox’s task error', async () => {
    h.lab.state.crashGuest(102);
    h.lab.state.lockGuest(102, 'backup');
    expect(await failureOf(run(startGuest, { node: 'pve1', vmid: 102 }, ctx()))).toBe(
      'failed to start VM 102 on pve1: VM is locked (backup)',
    );
    h.lab.state.lockGuest(102, null);
  });

  it('start_guest on a running guest changes nothing and does not act', async () => {
    const c = ctx();
    const out = await run(startGuest, { node: 'pve1', vmid: 101 }, c);
    expect(out.text).toBe("CT 101 'db' on pve1 is already running; nothing to do");
    expect(c.acts).toBe(0);
  });

  it('HA-managed guest: stop and start wait for the HA manager', async () => {
    const stop = await run(stopGuest, { node: 'pve3', vmid: 109 }, ctx());
    expect(stop.text).toBe("stopped CT 109 'ci' on pve3 (HA manager, task OK)");
    expect(h.lab.state.getGuest(109)!.status).toBe('stopped');
    const start = await run(startGuest, { node: 'pve3', vmid: 109 }, ctx());
    expect(start.data).toMatchObject({ status: 'running', haManaged: true });
    expect(h.lab.state.getGuest(109)!.status).toBe('running');
  });

  it('shutdown, reboot, suspend/resume of a container and a VM', async () => {
    expect((await run(shutdownGuest, { node: 'pve2', vmid: 105, timeout_seconds: 30 }, ctx())).text).toBe(
      "shut down CT 105 'monitoring' on pve2 (task OK)",
    );
    expect(h.lab.state.getGuest(105)!.status).toBe('stopped');
    expect(await failureOf(run(rebootGuest, { node: 'pve2', vmid: 105 }, ctx()))).toBe(
      'failed to reboot CT 105 on pve2: CT 105 not running',
    );
    expect((await run(rebootGuest, { node: 'pve2', vmid: 104 }, ctx())).text).toBe(
      "rebooted VM 104 'git' on pve2 (task OK)",
    );
    expect((await run(resumeGuest, { node: 'pve2', vmid: 106 }, ctx())).text).toBe(
      "VM 106 'proxy' on pve2 is running and not paused; nothing to resume",
    );
    h.lab.state.getGuest(106)!.paused = true;
    expect((await run(resumeGuest, { node: 'pve2', vmid: 106 }, ctx())).text).toBe(
      "resumed VM 106 'proxy' on pve2 (task OK)",
    );
    expect(h.lab.state.getGuest(106)!.paused).toBe(false);
  });

  it('a flipped kill switch stops the action before the request', async () => {
    const msg = await failureOf(
      run(stopGuest, { node: 'pve1', vmid: 103 }, makeCtx({ proxmox: h.client, killSwitch: true })),
    );
    expect(msg).toMatch(/^blocked by the kill switch/);
    expect(h.lab.state.getGuest(103)!.status).toBe('running');
  });

  it('guests of an offline node, an aborted call, and a missing client fail with clear messages', async () => {
    h.lab.state.setNodeOnline('pve2', false);
    expect(await failureOf(run(startGuest, { node: 'pve2', vmid: 105 }, ctx()))).toBe(
      'failed to start CT 105 on pve2: node pve2 does not report the guest (status unknown; is the node offline?)',
    );
    h.lab.state.setNodeOnline('pve2', true);
    const ac = new AbortController();
    ac.abort();
    expect(
      await failureOf(run(stopGuest, { node: 'pve1', vmid: 103 }, makeCtx({ proxmox: h.client, signal: ac.signal }))),
    ).toMatch(/^failed to stop guest 103 on pve1: .*aborted/);
    expect(await failureOf(run(startGuest, { node: 'pve1', vmid: 100 }, makeCtx()))).toBe(
      'Proxmox is not configured (add a proxmox: section to vigil.yaml)',
    );
  });
});
