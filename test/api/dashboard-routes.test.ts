// Pins the dashboard's read-only operator routes over real HTTP: operator token only, 4xx naming the field for bad input, the dashboard's static files and uPlot served with the CSP, and reads that add no audit rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestVigil, type TestVigil } from '../helpers/vigil.js';

let vigil: TestVigil;
beforeAll(async () => {
  vigil = await startTestVigil();
});
afterAll(async () => {
  await vigil.close();
});

const READS = [
  '/api/overview',
  '/api/homelab',
  '/api/nodes/pve1/history',
  '/api/audit/search',
  '/api/audit/verify',
  '/api/tools',
];

describe('dashboard routes', () => {
  it('answer 401 without a token and 403 to the assistant token', async () => {
    for (const path of READS) {
      expect((await vigil.api('GET', path, undefined, null)).status).toBe(401);
      expect((await vigil.api('GET', path, undefined, vigil.assistantToken)).status).toBe(403);
    }
  });

  it('read the stores, not tools: refreshing adds no audit row', async () => {
    const before = (await vigil.core.stores.audit.list({ limit: 1000 })).length;
    for (const path of READS) expect((await vigil.api('GET', path)).status).toBe(200);
    expect(await vigil.core.stores.audit.list({ limit: 1000 })).toHaveLength(before);
  });

  it('say which field is wrong, with 400, and 404 for an incident that does not exist', async () => {
    const cases: [string, RegExp][] = [
      ['/api/incidents/abc/timeline', /^path: .*id/],
      ['/api/nodes/..%2Fetc/history', /^path: .*node/],
      ['/api/nodes/pve1/history?metric=cpu', /^query: .*metric/],
      ['/api/nodes/pve1/history?days=1000', /^query: .*days/],
      ['/api/audit/search?tool=DROP%20TABLE', /^query: .*tool/],
      ['/api/audit/search?caller=a%20b', /^query: .*caller/],
      ['/api/audit/search?limit=0', /^query: .*limit/],
    ];
    for (const [path, error] of cases) {
      const r = await vigil.api('GET', path);
      expect(r.status, path).toBe(400);
      expect(r.body.error, path).toMatch(error);
    }
    const missing = await vigil.api('GET', '/api/incidents/999/timeline');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toContain('no incident with id 999');
  });

  it('report no observation without a monitor, and the audit chain intact', async () => {
    expect((await vigil.api('GET', '/api/homelab')).body).toEqual({ snapshot: null, incidents: [] });
    expect((await vigil.api('GET', '/api/audit/verify')).body.verification).toMatchObject({ ok: true });
    const overview = (await vigil.api('GET', '/api/overview')).body;
    expect(overview.status.monitor).toMatchObject({ running: false });
  });

  it('filter audit rows by tool, caller and outcome', async () => {
    const op = { kind: 'operator', id: 'rest' } as const;
    await vigil.core.pipeline.executeTool('set_kill_switch', { active: true, reason: 'audit filter' }, op);
    await vigil.core.pipeline.executeTool('get_monitor_status', {}, { kind: 'monitor', id: 'monitor' });
    const byTool = (await vigil.api('GET', '/api/audit/search?tool=set_kill_switch')).body.entries;
    expect(byTool.map((r: { tool: string }) => r.tool)).toEqual(['set_kill_switch']);
    const byCaller = (await vigil.api('GET', '/api/audit/search?caller=operator:rest&outcome=ok')).body.entries;
    expect(
      byCaller.every((r: { callerId: string; outcome: string }) => r.callerId === 'rest' && r.outcome === 'ok'),
    ).toBe(true);
    expect(byCaller.length).toBeGreaterThan(0);
    expect((await vigil.api('GET', '/api/audit/search?caller=nobody')).body).toEqual({ entries: [], nextBefore: null });
  });

  it('serve the page, its modules and uPlot from the installed package, under the CSP', async () => {
    for (const [path, type] of [
      ['/', 'text/html'],
      ['/js/main.js', 'javascript'],
      ['/dashboard.css', 'text/css'],
      ['/vendor/uPlot.esm.js', 'javascript'],
      ['/vendor/uPlot.min.css', 'text/css'],
    ] as const) {
      const res = await fetch(`${vigil.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toContain(type);
      expect(res.headers.get('content-security-policy'), path).toContain("script-src 'self'");
    }
    expect(await (await fetch(`${vigil.url}/`)).text()).not.toMatch(/https?:\/\//);
  });
});
