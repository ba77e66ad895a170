// Pins the simulator's protocol behaviour: auth failures, error statuses and reasons, offline nodes, tasks, HA, node commands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../src/lab/index.js';
import { api, eventually, labRequest } from './http.js';

let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ taskMs: 20, bootMs: 50, extraServices: [] });
});
afterAll(async () => {
  await lab.close();
});
const post = (path: string, form?: Record<string, string>) => labRequest(lab, 'POST', `/api2/json${path}`, { form });

describe('authentication', () => {
  it('401 "No ticket" with an empty body when no credentials are sent', async () => {
    const r = await labRequest(lab, 'GET', '/api2/json/nodes', { auth: 'none' });
    expect([r.status, r.reason, r.text]).toEqual([401, 'No ticket', '']);
  });
  it('401 "Authentication failed!" for a wrong secret or unknown token', async () => {
    const r = await labRequest(lab, 'GET', '/api2/json/nodes', {
      auth: { header: `PVEAPIToken=${lab.token.id}=wrong` },
    });
    expect([r.status, r.reason, r.text]).toEqual([401, 'Authentication failed!', '']);
    const r2 = await labRequest(lab, 'GET', '/api2/json/nodes', { auth: { header: 'PVEAPIToken=x@pam!y=z' } });
    expect(r2.reason).toBe('Authentication failed!');
  });
  it('403 naming path and privilege for a token without privileges', async () => {
    const r = await labRequest(lab, 'POST', '/api2/json/nodes/pve1/qemu/100/status/stop', { auth: 'noprivs' });
    expect([r.status, r.reason]).toEqual([403, 'Permission check failed (/vms/100, VM.PowerMgmt)']);
    expect(r.json).toEqual({ data: null, message: 'Permission check failed (/vms/100, VM.PowerMgmt)\n' });
    const list = await labRequest(lab, 'GET', '/api2/json/cluster/resources', { auth: 'noprivs' });
    expect(list.json.data).toEqual([]);
  });
});

describe('errors', () => {
  it('501 for an unknown path, 500 for an unknown node, 500 for a missing guest config', async () => {
    expect((await api(lab, '/nope')).reason).toBe("Method 'GET /nope' not implemented");
    const node = await api(lab, '/nodes/pve9/status');
    expect([node.status, node.json.message]).toEqual([500, "no such cluster node 'pve9'\n"]);
    const cfg = await api(lab, '/nodes/pve1/qemu/101/status/current');
    expect(cfg.reason).toBe("Configuration file 'nodes/pve1/qemu-server/101.conf' does not exist");
  });
  it('pre-fork checks fail synchronously with 500 and the PVE text', async () => {
    const r = await post('/nodes/pve1/qemu/100/status/start');
    expect([r.status, r.reason, r.json.message]).toEqual([500, 'VM 100 already running', 'VM 100 already running\n']);
    lab.state.crashGuest(103);
    const r2 = await post('/nodes/pve1/lxc/103/status/shutdown');
    expect(r2.reason).toBe('CT 103 not running');
  });
  it('400 with field errors for bad parameters', async () => {
    const r = await api(lab, '/cluster/resources?type=bogus');
    expect(r.status).toBe(400);
    expect(r.json.errors.type).toMatch(/enumeration/);
    expect((await api(lab, '/nodes/pve1/tasks/garbage/status')).status).toBe(400);
  });
});

describe('offline node', () => {
  it('595 No route to host for node calls; offline/unknown in /cluster/resources; online 0 in /cluster/status', async () => {
    await labRequest(lab, 'POST', '/_lab/nodes/pve2/down');
    const r = await api(lab, '/nodes/pve2/qemu');
    expect([r.status, r.reason]).toEqual([595, 'No route to host']);
    const res = (await api(lab, '/cluster/resources')).json.data as Record<string, unknown>[];
    expect(res.find((e) => e.id === 'node/pve2')!.status).toBe('offline');
    const guests = res.filter((e) => e.node === 'pve2' && (e.type === 'qemu' || e.type === 'lxc'));
    expect(guests.length).toBeGreaterThan(0);
    for (const g of guests) {
      expect(g.status).toBe('unknown');
      expect(Object.keys(g).sort()).toEqual(expect.arrayContaining(['id', 'node', 'status', 'type', 'vmid']));
      expect(g).not.toHaveProperty('name');
      expect(g).not.toHaveProperty('mem');
    }
    const status = (await api(lab, '/cluster/status')).json.data as Record<string, unknown>[];
    expect(status.find((e) => e.name === 'pve2')!.online).toBe(0);
    await labRequest(lab, 'POST', '/_lab/nodes/pve2/up');
    expect((await api(lab, '/nodes/pve2/qemu')).status).toBe(200);
  });
});

describe('tasks', () => {
  it('a locked guest start returns a UPID and the task ends with "VM is locked (backup)"', async () => {
    lab.state.crashGuest(102);
    lab.state.lockGuest(102, 'backup');
    const upid = (await post('/nodes/pve1/qemu/102/status/start')).json.data as string;
    const path = `/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`;
    await eventually(async () => (await api(lab, path)).json.data.status === 'stopped');
    expect((await api(lab, path)).json.data).toMatchObject({
      exitstatus: 'VM is locked (backup)',
      user: 'root@pam',
      tokenid: 'vigil',
    });
    lab.state.lockGuest(102, null);
  });

  it('lists tasks newest first with total, and filters by vmid, typefilter, source and limit', async () => {
    const running = lab.state.tasks.run({
      node: 'pve1',
      type: 'vzdump',
      id: '100',
      user: 'root@pam',
      durationMs: 3_600_000,
      work: () => 'OK',
    });
    const archive = (await api(lab, '/nodes/pve1/tasks')).json;
    expect(archive.data.some((t: { upid: string }) => t.upid === running.upid)).toBe(false);
    const active = (await api(lab, '/nodes/pve1/tasks?source=active')).json;
    expect(active.data).toEqual([expect.objectContaining({ upid: running.upid, status: 'RUNNING' })]);
    const byVmid = (await api(lab, '/nodes/pve1/tasks?vmid=102&source=all')).json;
    expect(byVmid.data.every((t: { id: string }) => t.id === '102')).toBe(true);
    expect(byVmid.total).toBe(byVmid.data.length);
    const typed = (await api(lab, '/nodes/pve1/tasks?typefilter=qmstart')).json;
    expect(typed.data.every((t: { type: string }) => t.type === 'qmstart')).toBe(true);
    const limited = (await api(lab, '/nodes/pve1/tasks?source=all&limit=1')).json;
    expect(limited.data).toHaveLength(1);
    expect(limited.total).toBeGreaterThan(1);
    const since = (await api(lab, `/nodes/pve1/tasks?source=all&since=${running.starttime + 10}`)).json;
    expect(since.data).toEqual([]);
  });

  it('HA-managed guests get hastop/hastart tasks; the guest changes state after the task', async () => {
    const ha = lab.state.listGuests().find((g) => g.ha.managed)!;
    const upid = (await post(`/nodes/${ha.node}/${ha.type}/${ha.vmid}/status/stop`)).json.data as string;
    expect(upid).toContain(':hastop:');
    await eventually(() => lab.state.getGuest(ha.vmid)!.status === 'stopped');
    const cur = (await api(lab, `/nodes/${ha.node}/${ha.type}/${ha.vmid}/status/current`)).json.data;
    expect(cur.ha).toEqual({ managed: 1, state: 'stopped' });
    const start = (await post(`/nodes/${ha.node}/${ha.type}/${ha.vmid}/status/start`)).json.data as string;
    expect(start).toContain(':hastart:');
    await eventually(() => lab.state.getGuest(ha.vmid)!.status === 'running');
  });

  it('suspend and resume a VM (qmpstatus paused, status running)', async () => {
    const upid = (await post('/nodes/pve1/qemu/100/status/suspend')).json.data as string;
    expect(upid).toContain(':qmpause:');
    await eventually(
      async () => (await api(lab, '/nodes/pve1/qemu/100/status/current')).json.data.qmpstatus === 'paused',
    );
    expect((await api(lab, '/nodes/pve1/qemu/100/status/current')).json.data.status).toBe('running');
    await post('/nodes/pve1/qemu/100/status/resume');
    await eventually(
      async () => (await api(lab, '/nodes/pve1/qemu/100/status/current')).json.data.qmpstatus === 'running',
    );
  });
});

describe('node command and services', () => {
  it('POST /nodes/{node}/status reboot answers null; the node goes offline and comes back', async () => {
    const r = await post('/nodes/pve3/status', { command: 'reboot' });
    expect(r.json).toEqual({ data: null });
    await eventually(() => !lab.state.getNode('pve3')!.online);
    await eventually(() => lab.state.getNode('pve3')!.online);
    expect((await post('/nodes/pve3/status', { command: 'explode' })).status).toBe(400);
  });

  it('services list and state follow systemd states', async () => {
    await labRequest(lab, 'POST', '/_lab/nodes/pve1/services/pveproxy/fail');
    const s = (await api(lab, '/nodes/pve1/services/pveproxy/state')).json.data;
    expect(s).toMatchObject({ service: 'pveproxy', state: 'failed', 'active-state': 'failed' });
    await labRequest(lab, 'POST', '/_lab/nodes/pve1/services/pveproxy/restore');
    const list = (await api(lab, '/nodes/pve1/services')).json.data as { service: string; state: string }[];
    expect(list.find((x) => x.service === 'pveproxy')!.state).toBe('running');
    expect(list.find((x) => x.service === 'sshd')).toBeDefined();
  });
});
