// Pins the snapshot, backup, guest-agent, HA, migration and journal tools end to end (real MCP client → vigil → lab): reads, yellow and red (elicitation) actions, refusals before any request (snapshot names, unlisted storages and units), and Proxmox's failures as isError results, each with exactly one audit row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Lab } from '../../src/lab/index.js';
import { call, confirmingClient, labControl, startFastLab, startLabVigil, type LabVigil } from './tools-lab.js';

// The lab (2 nodes × 2 guests): 100 VM and 101 CT on pve1; 102 VM and 103 CT (HA-managed) on pve2.
describe('Proxmox feature tools against the lab', () => {
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
  afterAll(async () => {
    await lv?.close();
    await lab?.close();
  });

  it('takes, lists, rolls back to and deletes a snapshot', async () => {
    const taken = await call(lv.vigil, client, 'create_snapshot', { node: 'pve1', vmid: 100, name: 'pre-upgrade' });
    expect(taken).toMatchObject({ isError: false, audit: { tier: 'yellow', outcome: 'ok' } });
    expect(taken.text).toBe('took snapshot "pre-upgrade" of VM 100 on pve1 (task OK)');
    const list = await call(lv.vigil, client, 'list_snapshots', { node: 'pve1', vmid: 100 });
    expect(list.data).toMatchObject({
      snapshots: [{ name: 'pre-upgrade', vmstate: false }],
      currentParent: 'pre-upgrade',
    });
    const back = await call(lv.vigil, red, 'rollback_snapshot', {
      node: 'pve1',
      vmid: 100,
      name: 'pre-upgrade',
      start: true,
    });
    expect(back).toMatchObject({ isError: false, audit: { tier: 'red', decision: 'allowed' } });
    expect(asked.at(-1)).toContain('roll guest 100 on pve1 back to snapshot "pre-upgrade"');
    expect(guest(100).status).toBe('running');
    const del = await call(lv.vigil, red, 'delete_snapshot', { node: 'pve1', vmid: 100, name: 'pre-upgrade' });
    expect(del.isError).toBe(false);
    expect(guest(100).snapshots).toEqual([]);
  });

  it('refuses a bad snapshot name before any request, naming the rule', async () => {
    const tasks = lab.state.tasks.list().length;
    for (const name of ['1st', 'current', 'a', 'x'.repeat(41), 'bad name']) {
      const audits = await lv.vigil.core.stores.audit.count();
      const refused = await call(lv.vigil, client, 'create_snapshot', { node: 'pve1', vmid: 100, name });
      expect(refused.isError).toBe(true);
      expect(refused.text).toMatch(/^invalid arguments: name: a Proxmox snapshot name: a letter, then letters, digits/);
      expect(refused.audit).toMatchObject({ decision: 'invalid', outcome: 'not_run' });
      expect((await lv.vigil.core.stores.audit.count()) - audits).toBe(1);
    }
    expect(lab.state.tasks.list().length).toBe(tasks);
  });

  it('reports a locked guest as the task failure Proxmox gives', async () => {
    lab.state.lockGuest(101, 'backup');
    const r = await call(lv.vigil, client, 'create_snapshot', { node: 'pve1', vmid: 101, name: 'x1' });
    expect(r).toMatchObject({ isError: true, text: 'failed to snapshot CT 101 on pve1: CT is locked (backup)' });
    lab.state.lockGuest(101, null);
  });

  it('backs up a guest to a configured storage and lists it; a failing backup names its reason', async () => {
    const ok = await call(lv.vigil, client, 'run_backup', { node: 'pve1', vmid: 101 });
    expect(ok).toMatchObject({ isError: false, data: { storage: 'local', exitstatus: 'OK' } });
    expect(ok.data.volid).toMatch(/^local:backup\/vzdump-lxc-101-/);
    const refused = await call(lv.vigil, client, 'run_backup', { node: 'pve1', vmid: 101, storage: 'local-lvm' });
    expect(refused.text).toBe(
      'failed to back up guest 101: storage "local-lvm" is not in proxmox.backupStorages (configured: local)',
    );
    await labControl(lab, 'PUT', '/_lab/guests/100/backup-error', { error: 'no space left on device' });
    const bad = await call(lv.vigil, client, 'run_backup', { node: 'pve1', vmid: 100 });
    expect(bad).toMatchObject({
      isError: true,
      text: 'failed to back up VM 100 on pve1 to local: no space left on device (task job errors)',
    });
    await labControl(lab, 'PUT', '/_lab/guests/100/backup-error', { error: null });
    const list = await call(lv.vigil, client, 'list_backups', { node: 'pve1' });
    const [g100, g101] = list.data.guests;
    expect(g100).toMatchObject({ vmid: 100, lastRun: { ok: false, error: 'no space left on device' } });
    expect(g100.lastBackup).toBeUndefined();
    expect(g101).toMatchObject({ vmid: 101, lastBackup: { storage: 'local' }, lastRun: { ok: true } });
    const jobs = await call(lv.vigil, client, 'get_backup_jobs');
    expect(jobs.data).toMatchObject({ jobs: [{ enabled: true, storage: 'local' }], notBackedUp: [{ vmid: 103 }] });
  });

  it('reads the guest agent, reports a hung one without failing, and resets the VM (red)', async () => {
    const info = await call(lv.vigil, client, 'guest_agent_info', { node: 'pve1', vmid: 100 });
    expect(info.data).toMatchObject({ responding: true, os: { name: 'Debian GNU/Linux 12 (bookworm)' } });
    await labControl(lab, 'POST', '/_lab/guests/100/hang');
    const hung = await call(lv.vigil, client, 'guest_agent_info', { node: 'pve1', vmid: 100 });
    expect(hung).toMatchObject({
      isError: false,
      data: { responding: false, reason: 'QEMU guest agent is not running' },
    });
    const reset = await call(lv.vigil, red, 'reset_guest', { node: 'pve1', vmid: 100 });
    expect(reset).toMatchObject({ isError: false, audit: { tier: 'red' } });
    expect((await call(lv.vigil, client, 'guest_agent_info', { node: 'pve1', vmid: 100 })).data.responding).toBe(true);
    const ct = await call(lv.vigil, red, 'reset_guest', { node: 'pve1', vmid: 101 });
    expect(ct.text).toBe('failed to reset CT 101 on pve1: Proxmox has no reset for containers (use reboot_guest)');
  });

  it('reads HA status, including a resource in error', async () => {
    await labControl(lab, 'PUT', '/_lab/guests/103/ha', { state: 'error' });
    const ha = await call(lv.vigil, client, 'get_ha_status');
    expect(ha.data).toMatchObject({ quorate: true, services: [{ sid: 'ct:103', crmState: 'error', node: 'pve2' }] });
    expect(ha.text).toContain('ct:103 on pve2: error — needs an operator');
    await labControl(lab, 'PUT', '/_lab/guests/103/ha', { state: 'started' });
  });

  it('checks and performs a migration, waiting for the task', async () => {
    const check = await call(lv.vigil, client, 'migrate_check', { node: 'pve1', vmid: 100, target: 'pve2' });
    expect(check.data).toMatchObject({ running: true, allowedNodes: ['pve2'] });
    expect(check.text).toContain('live migration needs with_local_disks');
    const failed = await call(lv.vigil, red, 'migrate_guest', { node: 'pve1', vmid: 100, target: 'pve2' });
    expect(failed).toMatchObject({
      isError: true,
      text: 'failed to migrate VM 100 from pve1 to pve2: migration aborted',
    });
    const moved = await call(lv.vigil, red, 'migrate_guest', {
      node: 'pve1',
      vmid: 100,
      target: 'pve2',
      with_local_disks: true,
    });
    expect(moved).toMatchObject({ isError: false, data: { from: 'pve1', to: 'pve2', haManaged: false } });
    expect(guest(100)).toMatchObject({ node: 'pve2', status: 'running' });
    const haMoved = await call(lv.vigil, red, 'migrate_guest', { node: 'pve2', vmid: 103, target: 'pve1' });
    expect(haMoved).toMatchObject({ isError: false, data: { haManaged: true } });
    expect(guest(103).node).toBe('pve1');
  });

  it('reads the journal of a configured unit or the node, and refuses an unlisted unit', async () => {
    lab.state.setServiceState('pve1', 'nginx', 'failed');
    const j = await call(lv.vigil, client, 'read_journal', {
      node: 'pve1',
      unit: 'nginx',
      lines: 10,
      since_minutes: 5,
    });
    expect(j).toMatchObject({ isError: false, data: { unit: 'nginx.service', lines: 2, truncated: false } });
    expect(j.data.journal).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000 pve1 systemd\[1\]: nginx\.service: Main process exited/,
    );
    const all = await call(lv.vigil, client, 'read_journal', { node: 'pve1', lines: 1000, since_minutes: 120 });
    expect(all.data.lines).toBeGreaterThan(10);
    const refused = await call(lv.vigil, client, 'read_journal', { node: 'pve1', unit: 'sshd-evil' });
    expect(refused.text).toMatch(/^failed to read the journal of sshd-evil on pve1: not in nodes\[pve1\]\.services/);
    lab.state.setServiceState('pve1', 'nginx', 'active');
  });
});
