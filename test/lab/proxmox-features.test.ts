// Pins the simulator's snapshot, backup, guest-agent, config, HA, wake-on-LAN, migration and reset routes against reference section 10, and their control routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../src/lab/index.js';
import { api, eventually, labRequest } from './http.js';

// Default lab: pve1 holds 100 (VM), 101 (CT), 102 (VM), 103 (CT); 109 (CT on pve3) is HA-managed.
let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ taskMs: 30, bootMs: 50, extraServices: [] });
});
afterAll(async () => {
  await lab.close();
});
const post = (path: string, form?: Record<string, string>) => labRequest(lab, 'POST', `/api2/json${path}`, { form });
const control = (method: string, path: string, body?: unknown) =>
  labRequest(lab, method, `/_lab${path}`, { auth: 'none', body });
async function task(node: string, upid: string) {
  await eventually(
    async () =>
      (await api(lab, `/nodes/${node}/tasks/${encodeURIComponent(upid)}/status`)).json.data.status === 'stopped',
  );
  return (await api(lab, `/nodes/${node}/tasks/${encodeURIComponent(upid)}/status`)).json.data;
}

describe('snapshots', () => {
  it('refuses bad and reserved names before the fork', async () => {
    const bad = await post('/nodes/pve1/qemu/100/snapshot', { snapname: '1st' });
    expect([bad.status, bad.json.errors]).toEqual([
      400,
      { snapname: "invalid format - invalid configuration ID '1st'" },
    ]);
    const reserved = await post('/nodes/pve1/qemu/100/snapshot', { snapname: 'Pending' });
    expect([reserved.status, reserved.reason]).toEqual([500, "unable to use snapshot name 'Pending' (reserved name)"]);
    expect((await post('/nodes/pve1/lxc/101/snapshot', { snapname: 'vzdump' })).status).toBe(500);
  });
  it('holds the snapshot lock while taking one, then lists it before `current`', async () => {
    const r = await post('/nodes/pve1/qemu/100/snapshot', { snapname: 'before-upgrade', description: 'pre' });
    expect(lab.state.getGuest(100)!.lock).toBe('snapshot');
    expect((await task('pve1', r.json.data)).exitstatus).toBe('OK');
    expect(lab.state.getGuest(100)!.lock).toBeUndefined();
    const list = (await api(lab, '/nodes/pve1/qemu/100/snapshot')).json.data;
    expect(list.map((s: { name: string }) => s.name)).toEqual(['before-upgrade', 'current']);
    expect(list[0]).toMatchObject({ description: 'pre', vmstate: 0 });
    expect(list[1]).toMatchObject({ description: 'You are here!', running: 1, parent: 'before-upgrade' });
    const again = await post('/nodes/pve1/qemu/100/snapshot', { snapname: 'before-upgrade' });
    expect((await task('pve1', again.json.data)).exitstatus).toBe("snapshot name 'before-upgrade' already used");
  });
  it('checks the lock in the worker, rolls back (stopping the guest) and deletes', async () => {
    lab.state.lockGuest(100, 'backup');
    const locked = await post('/nodes/pve1/qemu/100/snapshot/before-upgrade/rollback');
    expect((await task('pve1', locked.json.data)).exitstatus).toBe('VM is locked (backup)');
    lab.state.lockGuest(100, null);
    const rb = await post('/nodes/pve1/qemu/100/snapshot/before-upgrade/rollback');
    expect((await task('pve1', rb.json.data)).type).toBe('qmrollback');
    expect(lab.state.getGuest(100)!.status).toBe('stopped');
    const missing = await labRequest(lab, 'DELETE', '/api2/json/nodes/pve1/qemu/100/snapshot/nope');
    expect((await task('pve1', missing.json.data)).exitstatus).toBe("snapshot 'nope' does not exist");
    const del = await labRequest(lab, 'DELETE', '/api2/json/nodes/pve1/qemu/100/snapshot/before-upgrade');
    expect((await task('pve1', del.json.data)).type).toBe('qmdelsnapshot');
    expect(lab.state.getGuest(100)!.snapshots).toEqual([]);
    lab.state.setGuestStatus(100, 'running', 'test');
  });
});

describe('backups', () => {
  it('runs vzdump under the backup lock and leaves an archive on local', async () => {
    const r = await post('/nodes/pve1/vzdump', { vmid: '101', storage: 'local' });
    expect(r.json.data).toMatch(/^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:vzdump:101:root@pam!vigil:$/);
    expect(lab.state.getGuest(101)!.lock).toBe('backup');
    expect((await task('pve1', r.json.data)).exitstatus).toBe('OK');
    const content = (await api(lab, '/nodes/pve1/storage/local/content?content=backup&vmid=101')).json.data;
    expect(content).toHaveLength(1);
    expect(content[0]).toMatchObject({ content: 'backup', subtype: 'lxc', format: 'tar.zst', vmid: 101 });
    expect(content[0].volid).toMatch(/^local:backup\/vzdump-lxc-101-\d{4}_\d\d_\d\d-\d\d_\d\d_\d\d\.tar\.zst$/);
  });
  it('ends in "job errors" with the guest\'s error in the log when a backup is made to fail', async () => {
    expect((await control('PUT', '/guests/100/backup-error', { error: 'no space left on device' })).status).toBe(200);
    const r = await post('/nodes/pve1/vzdump', { vmid: '100,101' });
    const done = await task('pve1', r.json.data);
    expect([done.exitstatus, done.id]).toEqual(['job errors', '']);
    const log = (await api(lab, `/nodes/pve1/tasks/${encodeURIComponent(r.json.data)}/log`)).json.data;
    expect(log.map((l: { t: string }) => l.t)).toContain('ERROR: Backup of VM 100 failed - no space left on device');
    expect(log.at(-1).t).toBe('TASK ERROR: job errors');
    await control('PUT', '/guests/100/backup-error', { error: null });
  });
  it('refuses a storage without backup content in the task, and answers "OK" when no guest is local', async () => {
    const r = await post('/nodes/pve1/vzdump', { vmid: '101', storage: 'local-lvm' });
    expect((await task('pve1', r.json.data)).exitstatus).toBe(
      "could not get storage information for 'local-lvm': can't use storage 'local-lvm' for backups - wrong content type",
    );
    expect((await post('/nodes/pve1/vzdump', { vmid: '105' })).json.data).toBe('OK');
    expect((await post('/nodes/pve1/vzdump', {})).json.errors).toEqual({ vmid: 'property is missing' });
  });
  it('lists the backup job and the guests it does not cover', async () => {
    const jobs = (await api(lab, '/cluster/backup')).json.data;
    expect(jobs[0]).toMatchObject({ type: 'vzdump', enabled: 1, storage: 'local' });
    expect((await api(lab, '/cluster/backup-info/not-backed-up')).json.data).toEqual([
      { vmid: 111, type: 'lxc', name: 'vpn' },
    ]);
  });
});

describe('guest agent and config', () => {
  it('answers ping and osinfo, then "not running" once hung, until a reset', async () => {
    expect((await post('/nodes/pve1/qemu/100/agent/ping')).json.data).toEqual({ result: {} });
    expect((await api(lab, '/nodes/pve1/qemu/100/agent/get-osinfo')).json.data.result).toMatchObject({ id: 'debian' });
    expect((await control('POST', '/guests/100/hang')).json).toMatchObject({ ok: true, hung: 'reset' });
    const hung = await post('/nodes/pve1/qemu/100/agent/ping');
    expect([hung.status, hung.reason]).toEqual([500, 'QEMU guest agent is not running']);
    const reset = await post('/nodes/pve1/qemu/100/status/reset');
    expect((await task('pve1', reset.json.data)).type).toBe('qmreset');
    expect((await post('/nodes/pve1/qemu/100/agent/ping')).status).toBe(200);
  });
  it('keeps a sticky hang across a reset; a stop and start clears it', async () => {
    await control('POST', '/guests/102/hang', { sticky: true });
    await task('pve1', (await post('/nodes/pve1/qemu/102/status/reset')).json.data);
    expect((await post('/nodes/pve1/qemu/102/agent/ping')).status).toBe(500);
    await task('pve1', (await post('/nodes/pve1/qemu/102/status/stop')).json.data);
    expect((await post('/nodes/pve1/qemu/102/agent/ping')).reason).toBe('VM 102 is not running');
    await task('pve1', (await post('/nodes/pve1/qemu/102/status/start')).json.data);
    expect((await post('/nodes/pve1/qemu/102/agent/ping')).status).toBe(200);
  });
  it('reports no agent configured, and 501 for a container reset', async () => {
    await control('PUT', '/guests/102/config', { agent: false, onboot: false });
    expect((await post('/nodes/pve1/qemu/102/agent/ping')).reason).toBe('No QEMU guest agent configured');
    const cfg = (await api(lab, '/nodes/pve1/qemu/102/config')).json.data;
    expect(cfg.onboot).toBeUndefined();
    expect(cfg.agent).toBeUndefined();
    expect((await api(lab, '/nodes/pve1/qemu/100/config')).json.data).toMatchObject({ onboot: 1, agent: '1' });
    await control('PUT', '/guests/102/config', { agent: true, onboot: true });
    const r = await post('/nodes/pve1/lxc/101/status/reset');
    expect([r.status, r.reason]).toEqual([501, "Method 'POST /nodes/pve1/lxc/101/status/reset' not implemented"]);
  });
});

describe('HA, wake-on-LAN, migration, storage usage', () => {
  it('reports HA status and fails HA tasks of a resource in error', async () => {
    expect((await control('PUT', '/guests/109/ha', { state: 'error' })).status).toBe(200);
    const status = (await api(lab, '/cluster/ha/status/current')).json.data;
    expect(status.find((e: { id: string }) => e.id === 'service:ct:109')).toMatchObject({
      crm_state: 'error',
      node: 'pve3',
    });
    expect((await api(lab, '/cluster/ha/resources')).json.data).toEqual([
      expect.objectContaining({ sid: 'ct:109', type: 'ct' }),
    ]);
    const r = await post('/nodes/pve3/lxc/109/status/stop');
    expect((await task('pve3', r.json.data)).exitstatus).toBe(
      "service 'ct:109' in error state, must be disabled and fixed first",
    );
    await control('PUT', '/guests/109/ha', { state: 'started' });
  });
  it('wakes a peer through pve1 and refuses to wake pve1 itself', async () => {
    lab.state.setNodeOnline('pve2', false);
    const r = await post('/nodes/pve2/wakeonlan');
    expect(r.json.data).toBe('02:00:00:00:00:02');
    await eventually(() => lab.state.getNode('pve2')!.online);
    expect((await post('/nodes/pve1/wakeonlan')).reason).toBe("'pve1' is local node, cannot wake my self!");
  });
  it('reports migration preconditions and migrates a running VM online with its local disks', async () => {
    const pre = (await api(lab, '/nodes/pve1/qemu/100/migrate')).json.data;
    expect(pre).toMatchObject({
      running: 1,
      allowed_nodes: ['pve2', 'pve3'],
      not_allowed_nodes: { pve2: {}, pve3: {} },
    });
    expect(pre.local_disks[0].volid).toBe('local-lvm:vm-100-disk-0');
    expect((await post('/nodes/pve1/qemu/100/migrate', { target: 'pve2' })).reason).toBe(
      "can't migrate running VM without --online",
    );
    expect((await post('/nodes/pve1/qemu/100/migrate', { target: 'pve1' })).json.errors).toEqual({
      target: 'target is local node.',
    });
    const aborted = await post('/nodes/pve1/qemu/100/migrate', { target: 'pve2', online: '1' });
    expect((await task('pve1', aborted.json.data)).exitstatus).toBe('migration aborted');
    const ok = await post('/nodes/pve1/qemu/100/migrate', { target: 'pve2', online: '1', 'with-local-disks': '1' });
    expect(lab.state.getGuest(100)!.lock).toBe('migrate');
    expect((await task('pve1', ok.json.data)).exitstatus).toBe('OK');
    expect(lab.state.getGuest(100)).toMatchObject({ node: 'pve2', status: 'running' });
  });
  it('sets storage usage through the control API, shown in /cluster/resources', async () => {
    expect((await control('PUT', '/nodes/pve1/storage/local-lvm/usage', { percent: 93 })).status).toBe(200);
    const res = (await api(lab, '/cluster/resources?type=storage')).json.data;
    const thin = res.find((s: { id: string }) => s.id === 'storage/pve1/local-lvm');
    expect(thin.disk / thin.maxdisk).toBeCloseTo(0.93, 2);
    expect((await control('PUT', '/nodes/pve1/storage/nfs/usage', { percent: 5 })).status).toBe(404);
  });
});
