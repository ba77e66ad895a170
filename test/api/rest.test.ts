// Pins the operator REST API: every route needs the operator token (401 without, 403 with the assistant's), bad input is a 400 naming the field, changes publish events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestVigil, type TestVigil } from '../helpers/vigil.js';

let vigil: TestVigil;
beforeAll(async () => {
  vigil = await startTestVigil();
});
afterAll(async () => {
  await vigil.close();
});

/** Files a pending approval the way it really happens: the assistant asks for a red call without elicitation. */
async function pendingApproval(): Promise<string> {
  const client = await vigil.connect();
  const result = (await client.callTool({ name: 'set_autonomy_level', arguments: { level: 4, reason: 'test' } })) as {
    structuredContent?: { approvalId?: string };
  };
  const pending = await vigil.core.stores.approvals.pending(Date.now());
  const id = result.structuredContent?.approvalId ?? pending.at(-1)?.id;
  if (!id) throw new Error('no approval was filed');
  return id;
}

interface Route {
  method: string;
  path: string;
  body?: unknown;
}
const ROUTES: Route[] = [
  { method: 'GET', path: '/api/monitor/status' },
  { method: 'PUT', path: '/api/monitor/killswitch', body: { active: true } },
  { method: 'PUT', path: '/api/monitor/autonomy-level', body: { level: 3 } },
  { method: 'GET', path: '/api/monitor/actions' },
  { method: 'GET', path: '/api/incidents' },
  { method: 'GET', path: '/api/audit' },
  { method: 'GET', path: '/api/events' },
  { method: 'GET', path: '/api/approvals' },
  { method: 'POST', path: '/api/approvals/apr_abcdef123/approve' },
  { method: 'POST', path: '/api/approvals/apr_abcdef123/deny' },
  { method: 'POST', path: '/api/tools/get_monitor_status', body: {} },
];

describe('authentication', () => {
  it.each(ROUTES)(
    '$method $path: 401 without a token, 403 with the assistant token',
    async ({ method, path, body }) => {
      const none = await vigil.api(method, path, body, null);
      expect(none.status).toBe(401);
      expect(none.body.error).toMatch(/operator token/);
      const wrong = await vigil.api(method, path, body, 'not-the-token-0123456789');
      expect(wrong.status).toBe(401);
      const assistant = await vigil.api(method, path, body, vigil.assistantToken);
      expect(assistant.status).toBe(403);
      expect(assistant.body.error).toMatch(/assistant token/);
    },
  );

  it('GET /healthz needs no token', async () => {
    const res = await vigil.api('GET', '/healthz', undefined, null);
    expect(res).toEqual({
      status: 200,
      body: { ok: true, status: 'ok', engine: 'sqlite', role: 'single', epoch: null },
    });
  });
});

describe('with the operator token', () => {
  it('GET /api/monitor/status reports kill switch, autonomy level, approvals and monitor', async () => {
    const res = await vigil.api('GET', '/api/monitor/status');
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      killSwitch: { active: false },
      autonomyLevel: 3,
      pendingApprovals: [],
      monitor: { running: false },
    });
  });

  it('PUT /api/monitor/killswitch engages and releases it, publishing events', async () => {
    const on = await vigil.api('PUT', '/api/monitor/killswitch', { active: true, scope: 'all', reason: 'maintenance' });
    expect(on.status).toBe(200);
    expect(await vigil.core.stores.preferences.killSwitch()).toMatchObject({
      active: true,
      scope: 'all',
      reason: 'maintenance',
      by: 'operator:rest',
    });
    const status = await vigil.api('GET', '/api/monitor/status');
    expect(status.body.data.killSwitch).toMatchObject({
      active: true,
      scope: 'all',
      reason: 'maintenance',
      since: expect.any(Number),
    });
    const off = await vigil.api('PUT', '/api/monitor/killswitch', { active: false });
    expect(off.status).toBe(200);
    expect((await vigil.core.stores.preferences.killSwitch()).active).toBe(false);
    const events = (await vigil.core.stores.events.latest(5)).filter((e) => e.type === 'killswitch.changed');
    expect(events.map((e) => e.data?.active)).toEqual([true, false]);
  });

  it.each([
    [{}, /body: active/],
    [{ active: 'yes' }, /body: active/],
    [{ active: true, scope: 'everything' }, /body: scope/],
    [{ active: true, reason: 'x'.repeat(501) }, /body: reason/],
  ])('PUT /api/monitor/killswitch %j → 400 naming the field', async (body, message) => {
    const res = await vigil.api('PUT', '/api/monitor/killswitch', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(message);
  });

  it('PUT /api/monitor/autonomy-level sets 0–4 and refuses anything else naming level', async () => {
    const ok = await vigil.api('PUT', '/api/monitor/autonomy-level', { level: 1 });
    expect(ok.status).toBe(200);
    expect(await vigil.core.stores.preferences.autonomyLevel()).toBe(1);
    expect((await vigil.core.stores.events.latest(2)).find((e) => e.type === 'autonomy.changed')).toMatchObject({
      data: { level: 1 },
    });
    for (const level of [-1, 5, 2.5, '3', null]) {
      const bad = await vigil.api('PUT', '/api/monitor/autonomy-level', { level });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatch(/^body: level/);
    }
    await vigil.api('PUT', '/api/monitor/autonomy-level', { level: 3 });
  });

  it('a malformed JSON body is a 400 that says so', async () => {
    const res = await vigil.api('PUT', '/api/monitor/killswitch', '{"active": tru');
    expect(res).toEqual({ status: 400, body: { error: 'body: invalid JSON' } });
  });

  it('GET /api/incidents and GET /api/monitor/actions read the monitor records through its tools', async () => {
    const store = vigil.core.stores.monitor;
    const at = Date.now();
    const crashed = await store.openIncident(
      {
        key: 'guest.crashed:101',
        condition: 'guest.crashed',
        target: '101',
        node: 'pve1',
        severity: 'warning',
        summary: "VM 101 'db' stopped",
        details: {},
        flapping: false,
      },
      at,
    );
    const disk = await store.openIncident(
      {
        key: 'disk.high:pve2',
        condition: 'disk.high',
        target: 'pve2',
        node: 'pve2',
        severity: 'warning',
        summary: 'disk 96%',
        details: {},
        flapping: false,
      },
      at,
    );
    await store.resolveIncident(disk.id, at);
    await store.startAction({
      incidentId: crashed.id,
      incidentKey: crashed.key,
      runbook: 'restart-crashed-guest',
      tool: 'start_guest',
      args: { node: 'pve1', vmid: 101 },
      node: 'pve1',
      result: 'running',
      detail: '',
      approvalId: null,
      holder: 'test',
      counts: true,
      startedAt: at,
    });

    const all = await vigil.api('GET', '/api/incidents');
    expect(all.status).toBe(200);
    expect(all.body.data.incidents.map((i: { key: string }) => i.key)).toEqual(['disk.high:pve2', 'guest.crashed:101']);
    const active = await vigil.api('GET', '/api/incidents?active=true');
    expect(active.body.data.incidents.map((i: { key: string }) => i.key)).toEqual(['guest.crashed:101']);
    const resolved = await vigil.api('GET', '/api/incidents?status=resolved&limit=5');
    expect(resolved.body.data.incidents.map((i: { key: string }) => i.key)).toEqual(['disk.high:pve2']);
    for (const [query, field] of [
      ['status=broken', 'status'],
      ['active=yes', 'active'],
      ['limit=0', 'limit'],
    ]) {
      const bad = await vigil.api('GET', `/api/incidents?${query}`);
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatch(new RegExp(`^query: ${field}`));
    }

    const actions = await vigil.api('GET', '/api/monitor/actions?limit=5');
    expect(actions.status).toBe(200);
    expect(actions.body.data.actions).toEqual([
      expect.objectContaining({
        incidentKey: 'guest.crashed:101',
        runbook: 'restart-crashed-guest',
        tool: 'start_guest',
        result: 'running',
      }),
    ]);
    const none = await vigil.api('GET', '/api/monitor/actions?incident_key=disk.high:pve2');
    expect(none.body.data.actions).toEqual([]);
    const bad = await vigil.api('GET', '/api/monitor/actions?limit=many');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^query: limit/);
    // Reads through executeTool are audited like any other call.
    expect((await vigil.core.stores.audit.list({ limit: 1 }))[0]).toMatchObject({
      tool: 'get_autonomy_actions',
      callerKind: 'operator',
    });
  });

  it('GET /api/audit lists the calls made, and validates limit', async () => {
    const res = await vigil.api('GET', '/api/audit?limit=2');
    expect(res.status).toBe(200);
    expect(res.body.entries).toHaveLength(2);
    expect(res.body.entries[0]).toMatchObject({ callerKind: 'operator', callerId: 'rest' });
    const bad = await vigil.api('GET', '/api/audit?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^query: limit/);
  });

  it('GET /api/events returns the newest events, or pages forward from since', async () => {
    const all = await vigil.core.stores.events.since(0, 1000);
    const newest = await vigil.api('GET', '/api/events?limit=2');
    expect(newest.body.events.map((e: { id: number }) => e.id)).toEqual(all.slice(-2).map((e) => e.id));
    const page = await vigil.api('GET', `/api/events?since=${all[0]!.id}&limit=1`);
    expect(page.body.events.map((e: { id: number }) => e.id)).toEqual([all[1]!.id]);
    const bad = await vigil.api('GET', '/api/events?since=-4');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^query: since/);
  });

  it('GET /api/approvals and POST approve/deny decide a real pending request', async () => {
    const first = await pendingApproval();
    const second = await pendingApproval();
    const list = await vigil.api('GET', '/api/approvals');
    expect(list.status).toBe(200);
    expect(list.body.pending.map((a: { id: string }) => a.id)).toEqual(expect.arrayContaining([first, second]));

    const approved = await vigil.api('POST', `/api/approvals/${first}/approve`);
    expect(approved.status).toBe(200);
    expect((await vigil.core.stores.approvals.get(first, Date.now()))?.status).toBe('approved');
    const denied = await vigil.api('POST', `/api/approvals/${second}/deny`);
    expect(denied.status).toBe(200);
    expect((await vigil.core.stores.approvals.get(second, Date.now()))?.status).toBe('denied');
    const resolved = (await vigil.core.stores.events.latest(5)).filter((e) => e.type === 'approval.resolved');
    expect(resolved.map((e) => e.data?.verdict)).toEqual(['approved', 'denied']);

    const again = await vigil.api('POST', `/api/approvals/${first}/deny`);
    expect(again.status).toBe(409);
    expect(again.body.text).toMatch(/approved|not pending|already/i);
    const malformed = await vigil.api('POST', '/api/approvals/nope/approve');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatch(/^path: id/);
  });

  it('POST /api/tools/:name runs a tool through executeTool as operator and audits it', async () => {
    const res = await vigil.api('POST', '/api/tools/get_events', { limit: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, decision: 'allowed', outcome: 'ok' });
    const row = (await vigil.core.stores.audit.list({ limit: 1 }))[0];
    expect(row).toMatchObject({ id: res.body.auditId, tool: 'get_events', callerKind: 'operator', callerId: 'rest' });

    const unknown = await vigil.api('POST', '/api/tools/no_such_tool', {});
    expect(unknown.status).toBe(404);
    const invalid = await vigil.api('POST', '/api/tools/get_events', { limit: 'many' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toMatch(/limit/);
    const badName = await vigil.api('POST', '/api/tools/Bad-Name', {});
    expect(badName.status).toBe(400);
    expect(badName.body.error).toMatch(/^path: name/);
    const badBody = await vigil.api('POST', '/api/tools/get_events', [1, 2]);
    expect(badBody.status).toBe(400);
    expect(badBody.body.error).toMatch(/^body/);
  });

  it('an unknown route is a JSON 404', async () => {
    const res = await vigil.api('GET', '/api/nothing-here');
    expect(res.status).toBe(404);
  });
});
