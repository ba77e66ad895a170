// Pins vigil's Proxmox client against the lab: every method, TLS pinning/CA/insecure, error mapping, retries, task and HA waits.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProxmoxClient, ProxmoxError, type ProxmoxClient } from '../../src/clients/proxmox/index.js';
import { generateLabCertificate } from '../../src/lab/cert.js';
import { startLab, type Lab } from '../../src/lab/index.js';

let lab: Lab;
let c: ProxmoxClient;
const logLines: string[] = [];
const logger = pino({ level: 'debug' }, { write: (s: string) => logLines.push(s) });
const opts = (over: Partial<Parameters<typeof createProxmoxClient>[0]> = {}) => ({
  url: lab.url,
  tokenId: lab.token.id,
  tokenSecret: lab.token.secret,
  tls: { fingerprint: lab.fingerprint },
  timeoutMs: 5000,
  logger,
  backoffMs: 1,
  ...over,
});
const fail = async (p: Promise<unknown>): Promise<ProxmoxError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProxmoxError);
  return err as ProxmoxError;
};

beforeAll(async () => {
  lab = await startLab({ taskMs: 20, bootMs: 50, extraServices: [] });
  c = createProxmoxClient(opts());
});
afterAll(async () => {
  c.close();
  await lab.close();
});

describe('reads', () => {
  it('clusterStatus parses 0/1 booleans', async () => {
    const s = await c.clusterStatus();
    expect(s.cluster).toEqual({ name: 'vigil-lab', nodes: 3, version: 4, quorate: true });
    expect(s.nodes[0]).toMatchObject({ name: 'pve1', nodeid: 1, local: true, online: true });
  });

  it('clusterResources with and without a type filter', async () => {
    const all = await c.clusterResources();
    expect(new Set(all.map((r) => r.type))).toEqual(new Set(['qemu', 'lxc', 'node', 'storage']));
    const vms = await c.clusterResources('vm');
    expect(vms.every((r) => r.type === 'qemu' || r.type === 'lxc')).toBe(true);
    const nodes = await c.clusterResources('node');
    expect(nodes).toHaveLength(3);
    expect((await c.clusterResources('storage')).every((r) => r.type === 'storage')).toBe(true);
  });

  it('listNodes carries the ssl fingerprint; nodeStatus parses loadavg strings to numbers', async () => {
    const nodes = await c.listNodes();
    expect(nodes.map((n) => n.node)).toEqual(['pve1', 'pve2', 'pve3']);
    expect(nodes[0]!.sslFingerprint).toBe(lab.fingerprint);
    const st = await c.nodeStatus('pve1');
    expect(st.loadavg).toHaveLength(3);
    for (const x of st.loadavg!) expect(typeof x).toBe('number');
    expect(typeof st.cpuinfo!.mhz).toBe('number');
    expect(st.rootfs!.total).toBeGreaterThan(st.rootfs!.used);
  });

  it('listGuests merges qemu and lxc with their type; guestStatus; findGuest', async () => {
    const guests = await c.listGuests('pve1');
    expect(guests.map((g) => [g.vmid, g.type])).toEqual([
      [100, 'qemu'],
      [101, 'lxc'],
      [102, 'qemu'],
      [103, 'lxc'],
    ]);
    const st = await c.guestStatus('pve1', 'qemu', 100);
    expect(st).toMatchObject({
      vmid: 100,
      status: 'running',
      qmpstatus: 'running',
      paused: false,
      template: false,
      ha: { managed: false },
    });
    expect(st.lock).toBeUndefined();
    expect(await c.findGuest(105)).toMatchObject({ vmid: 105, node: 'pve2', type: 'lxc' });
    expect(await c.findGuest(4242)).toBeUndefined();
  });

  it('listStorage and listServices', async () => {
    const st = await c.listStorage('pve1');
    expect(st.map((s) => s.storage)).toEqual(['local', 'local-lvm']);
    expect(st[0]).toMatchObject({ enabled: true, active: true, shared: false, content: ['backup', 'vztmpl', 'iso'] });
    const svc = await c.listServices('pve1');
    expect(svc.find((s) => s.service === 'pveproxy')).toMatchObject({ state: 'running', activeState: 'active' });
  });
});

describe('actions and tasks', () => {
  it('stop, wait for the task, start again', async () => {
    const upid = await c.guestAction('pve1', 'lxc', 101, 'stop');
    const done = await c.waitForTask('pve1', upid, { pollMs: 5 });
    expect(done).toMatchObject({ status: 'stopped', exitstatus: 'OK', ok: true, user: 'root@pam', tokenid: 'vigil' });
    expect((await c.guestStatus('pve1', 'lxc', 101)).status).toBe('stopped');
    await c.waitForTask('pve1', await c.guestAction('pve1', 'lxc', 101, 'start'), { pollMs: 5 });
    expect((await c.guestStatus('pve1', 'lxc', 101)).status).toBe('running');
  });

  it('a locked guest: the start task fails with "VM is locked (backup)"', async () => {
    lab.state.crashGuest(102);
    lab.state.lockGuest(102, 'backup');
    const upid = await c.guestAction('pve1', 'qemu', 102, 'start');
    const err = await fail(c.waitForTask('pve1', upid, { pollMs: 5 }));
    expect([err.kind, err.message]).toEqual(['task', 'VM is locked (backup)']);
    lab.state.lockGuest(102, null);
  });

  it('already running: 500 with Proxmox’s message, not retried', async () => {
    const err = await fail(c.guestAction('pve1', 'qemu', 100, 'start'));
    expect([err.status, err.message, err.kind]).toEqual([500, 'VM 100 already running', 'api']);
  });

  it('an HA-managed guest: hastart ends first, waitForGuestState waits for running', async () => {
    const ha = lab.state.listGuests().find((g) => g.ha.managed)!;
    await c.waitForTask(ha.node, await c.guestAction(ha.node, ha.type, ha.vmid, 'stop'), { pollMs: 5 });
    await c.waitForGuestState(ha.node, ha.type, ha.vmid, 'stopped', { pollMs: 5 });
    const upid = await c.guestAction(ha.node, ha.type, ha.vmid, 'start');
    expect(upid).toContain(':hastart:');
    await c.waitForTask(ha.node, upid, { pollMs: 5 });
    const st = await c.waitForGuestState(ha.node, ha.type, ha.vmid, 'running', { pollMs: 5 });
    expect(st.ha).toEqual({ managed: true, state: 'started' });
  });

  it('task list shows an operator stop task; a crash leaves none', async () => {
    lab.state.crashGuest(104);
    const op = lab.state.operatorStop(106);
    const { tasks, total } = await c.listTasks('pve2', { source: 'all' });
    expect(total).toBe(tasks.length);
    expect(tasks).toEqual([
      expect.objectContaining({
        upid: op.upid,
        type: 'qmstop',
        id: '106',
        user: 'root@pam',
        status: 'OK',
        ok: true,
        running: false,
      }),
    ]);
    expect((await c.listTasks('pve2', { vmid: 104, source: 'all' })).tasks).toEqual([]);
    expect((await c.listTasks('pve2', { typefilter: 'qmstop', limit: 1 })).tasks).toHaveLength(1);
    expect(await c.taskStatus('pve2', op.upid)).toMatchObject({ ok: true, user: 'root@pam' });
  });

  it('nodeAction reboot returns null (Proxmox answers no task) and the node comes back', async () => {
    expect(await c.nodeAction('pve3', 'reboot')).toBeNull();
    const deadline = { tries: 0 };
    while (lab.state.getNode('pve3')!.online && deadline.tries++ < 500) await new Promise((r) => setTimeout(r, 5));
    while (!lab.state.getNode('pve3')!.online && deadline.tries++ < 1000) await new Promise((r) => setTimeout(r, 5));
    expect(lab.state.getNode('pve3')!.online).toBe(true);
  });

  it('waitForTask gives up with a timeout error while a task runs', async () => {
    const t = lab.state.tasks.run({
      node: 'pve1',
      type: 'vzdump',
      id: '100',
      user: 'root@pam',
      durationMs: 3_600_000,
      work: () => 'OK',
    });
    const err = await fail(c.waitForTask('pve1', t.upid, { pollMs: 5, timeoutMs: 20 }));
    expect(err.kind).toBe('timeout');
    const ac = new AbortController();
    ac.abort();
    expect((await fail(c.waitForTask('pve1', t.upid, { signal: ac.signal }))).kind).toBe('aborted');
  });
});

describe('errors and TLS', () => {
  it('401 with a wrong secret, without leaking the secret', async () => {
    const secret = 'not-the-secret-123';
    const bad = createProxmoxClient(opts({ tokenSecret: secret }));
    const err = await fail(bad.listNodes());
    expect(err.message).toBe(
      'Proxmox rejected the API token (401 Authentication failed!): check proxmox.tokenId and tokenSecret',
    );
    expect(err.status).toBe(401);
    expect(JSON.stringify({ m: err.message, s: err.stack })).not.toContain(secret);
    expect(logLines.join('')).not.toContain(secret);
    expect(logLines.join('')).not.toContain(lab.token.secret);
    bad.close();
  });

  it('403 names the missing privilege', async () => {
    const np = createProxmoxClient(opts({ tokenId: lab.noPrivToken.id, tokenSecret: lab.noPrivToken.secret }));
    const err = await fail(np.guestAction('pve1', 'qemu', 100, 'stop'));
    expect(err.status).toBe(403);
    expect(err.message).toContain('the API token lacks VM.PowerMgmt on /vms/100');
    np.close();
  });

  it('595 for a downed node', async () => {
    lab.state.setNodeOnline('pve2', false);
    const err = await fail(c.nodeStatus('pve2'));
    expect([err.status, err.message, err.kind]).toEqual([
      595,
      'node pve2 unreachable (595 No route to host)',
      'unreachable',
    ]);
    const res = await c.clusterResources('vm');
    expect(res.filter((r) => r.node === 'pve2').every((r) => r.status === 'unknown')).toBe(true);
    lab.state.setNodeOnline('pve2', true);
  });

  it('a wrong pin is refused with the real fingerprint; a lowercase pin without colons is accepted', async () => {
    const wrong = createProxmoxClient(opts({ tls: { fingerprint: 'AB:'.repeat(31) + 'AB' } }));
    const err = await fail(wrong.listNodes());
    expect(err.kind).toBe('tls');
    expect(err.message).toContain(`the server presented ${lab.fingerprint}`);
    wrong.close();
    const lower = createProxmoxClient(opts({ tls: { fingerprint: lab.fingerprint.replace(/:/g, '').toLowerCase() } }));
    expect(await lower.listNodes()).toHaveLength(3);
    lower.close();
  });

  it('a CA file is trusted; no trust setting refuses the self-signed lab; insecure warns once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-pve-'));
    writeFileSync(join(dir, 'ca.pem'), lab.caPem);
    const viaCa = createProxmoxClient(opts({ tls: { caFile: join(dir, 'ca.pem') } }));
    expect(await viaCa.listNodes()).toHaveLength(3);
    viaCa.close();
    const strict = createProxmoxClient(opts({ tls: {} }));
    expect((await fail(strict.listNodes())).kind).toBe('tls');
    strict.close();
    const lines: string[] = [];
    const insecure = createProxmoxClient(
      opts({ tls: { insecure: true }, logger: pino({ level: 'info' }, { write: (s: string) => lines.push(s) }) }),
    );
    await insecure.listNodes();
    await insecure.listNodes();
    expect(lines.filter((l) => l.includes('NOT verified'))).toHaveLength(1);
    insecure.close();
  });
});

describe('a pinned connection whose TLS handshake never finishes', () => {
  it('is closed once the request has timed out, not left open for the next poll to add another', async () => {
    const closed: Promise<void>[] = [];
    const silent = createNetServer((socket) => {
      // Accepts TCP, never answers the ClientHello: a hung pveproxy.
      closed.push(new Promise<void>((r) => socket.on('close', () => r())));
      socket.on('error', () => undefined);
      // Reading (and dropping) the hello is what lets this side see the client's FIN.
      socket.resume();
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const url = `https://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const hung = createProxmoxClient(opts({ url, timeoutMs: 300, retries: 0 }));
    expect((await fail(hung.listNodes())).kind).toBe('timeout');
    expect(closed).toHaveLength(1);
    await closed[0];
    hung.close();
    await new Promise<void>((r) => silent.close(() => r()));
  });
});

describe('retries and timeouts (against a scripted HTTPS server)', () => {
  const cert = generateLabCertificate();
  let hits: string[] = [];
  let script: { status: number; reason: string; body: string }[] = [];
  const server = createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    hits.push(`${req.method} ${req.url}`);
    const next = script.shift();
    if (!next) return; // never answers: the client must time out
    res.writeHead(next.status, next.reason, { 'content-type': 'application/json' });
    res.end(next.body);
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const scripted = (timeoutMs = 5000) =>
    createProxmoxClient(opts({ url, tls: { fingerprint: cert.fingerprint }, timeoutMs }));

  it('retries a GET on 502/595 and succeeds; gives up after 2 retries', async () => {
    hits = [];
    script = [
      { status: 502, reason: 'Bad Gateway', body: '' },
      { status: 595, reason: 'Connection refused', body: '' },
      { status: 200, reason: 'OK', body: '{"data":[]}' },
    ];
    const cl = scripted();
    expect(await cl.listNodes()).toEqual([]);
    expect(hits).toHaveLength(3);
    hits = [];
    script = [1, 2, 3].map(() => ({ status: 503, reason: 'busy', body: '' }));
    expect((await fail(cl.listNodes())).status).toBe(503);
    expect(hits).toHaveLength(3);
    cl.close();
  });

  it('does not retry a POST, nor a 500 that carries a message', async () => {
    const cl = scripted();
    hits = [];
    script = [{ status: 502, reason: 'Bad Gateway', body: '' }];
    await fail(cl.guestAction('pve1', 'qemu', 100, 'start'));
    expect(hits).toEqual(['POST /api2/json/nodes/pve1/qemu/100/status/start']);
    hits = [];
    script = [{ status: 500, reason: 'boom', body: '{"data":null,"message":"boom\\n"}' }];
    expect((await fail(cl.listNodes())).message).toBe('boom');
    expect(hits).toHaveLength(1);
    cl.close();
  });

  it('a server that does not answer ends in a timeout error', async () => {
    const cl = scripted(100);
    script = [];
    const err = await fail(cl.clusterStatus());
    expect(err.kind).toBe('timeout');
    expect(err.message).toBe('Proxmox did not answer GET /cluster/status within 100 ms');
    cl.close();
  });
});
