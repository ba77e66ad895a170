// Pins honest REST status codes: every client mistake on every route of src/api/rest.ts gets a 4xx (404 unknown approval, 409 decided or expired, 400 bad ids and bodies), never a 5xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestVigil, type TestVigil } from '../helpers/vigil.js';
import { toolsWithTestTools } from '../helpers/tools.js';
import { createHttpProber } from '../../src/clients/http-probe.js';

let clock = Date.now();
let vigil: TestVigil;

beforeAll(async () => {
  vigil = await startTestVigil({
    tools: toolsWithTestTools(),
    now: () => clock,
    safetyYaml: 'safety:\n  confirmation: approval',
    yaml: 'httpChecks:\n  - name: web\n    url: http://127.0.0.1:9/health\n',
    clients: { http: createHttpProber() },
  });
});
afterAll(async () => vigil.close());

/** A pending approval for a red test tool, requested by an assistant over MCP. */
async function pendingApproval(vmid: number): Promise<string> {
  const client = await vigil.connect();
  const res = await client.callTool({ name: 'test_smash', arguments: { node: 'pve1', vmid } });
  return (res.structuredContent as { approvalId: string }).approvalId;
}

describe('approval decisions', () => {
  it('404 for an approval that does not exist', async () => {
    for (const verdict of ['approve', 'deny']) {
      const res = await vigil.api('POST', `/api/approvals/apr_doesnotexist/${verdict}`);
      expect({ verdict, status: res.status }).toEqual({ verdict, status: 404 });
      expect(res.body.error ?? res.body.text).toMatch(/does not exist/);
    }
  });

  it('409 for an approval already approved, denied or used', async () => {
    const approved = await pendingApproval(301);
    expect((await vigil.api('POST', `/api/approvals/${approved}/approve`)).status).toBe(200);
    const denied = await pendingApproval(302);
    expect((await vigil.api('POST', `/api/approvals/${denied}/deny`)).status).toBe(200);
    for (const id of [approved, denied]) {
      for (const verdict of ['approve', 'deny']) {
        const res = await vigil.api('POST', `/api/approvals/${id}/${verdict}`);
        expect({ id, verdict, status: res.status }).toEqual({ id, verdict, status: 409 });
      }
    }
  });

  it('409 for an expired approval', async () => {
    const id = await pendingApproval(303);
    clock += 24 * 3600_000;
    const res = await vigil.api('POST', `/api/approvals/${id}/approve`);
    expect(res.status).toBe(409);
    expect(JSON.stringify(res.body)).toMatch(/expired/);
  });
});

describe('every route with bad ids, queries and bodies', () => {
  const BAD: [method: string, path: string, body?: unknown][] = [
    ['PUT', '/api/monitor/killswitch', {}],
    ['PUT', '/api/monitor/killswitch', { active: 'yes' }],
    ['PUT', '/api/monitor/killswitch', { active: true, scope: 'everything' }],
    ['PUT', '/api/monitor/killswitch', []],
    ['PUT', '/api/monitor/killswitch', '"on"'],
    ['PUT', '/api/monitor/killswitch', '{not json'],
    ['PUT', '/api/monitor/autonomy-level', { level: 9 }],
    ['PUT', '/api/monitor/autonomy-level', { level: '3' }],
    ['PUT', '/api/monitor/autonomy-level', null],
    ['GET', '/api/monitor/actions?limit=-1'],
    ['GET', '/api/monitor/actions?limit=abc'],
    ['GET', '/api/incidents?status=bogus'],
    ['GET', '/api/incidents?active=maybe'],
    ['GET', '/api/audit?limit=0'],
    ['GET', '/api/audit?limit=1e9'],
    ['GET', '/api/events?since=-5'],
    ['GET', '/api/events?since=x'],
    ['GET', '/api/approvals?limit=%00'],
    ['POST', '/api/approvals/not-an-id/approve'],
    ['POST', '/api/approvals/apr_%00%00%00%00%00%00/deny'],
    ['POST', `/api/approvals/apr_${'x'.repeat(300)}/approve`],
    ['POST', '/api/approvals/apr_doesnotexist/approve'],
    ['POST', '/api/tools/no_such_tool', {}],
    ['POST', '/api/tools/Bad-Name', {}],
    ['POST', '/api/tools/test_smash', { node: 'pve1' }],
    ['POST', '/api/tools/test_smash', { node: 'pve1', vmid: 1, approval_id: 'apr_doesnotexist' }],
    ['POST', '/api/tools/test_smash', { node: 'pve1', vmid: 1, approval_id: 5 }],
    ['POST', '/api/tools/test_echo', ['a']],
    ['POST', '/api/tools/test_echo', 'null'],
    ['POST', '/api/tools/test_echo', { text: 'x'.repeat(1000) }],
    ['POST', '/api/tools/test_echo', `{"text":"${'x'.repeat(300_000)}"}`],
    ['POST', '/api/tools/check_http', { name: 'web', url: 'http://127.0.0.1:9/' }],
    ['POST', '/api/tools/check_http', { name: 'no-such-check' }],
    ['POST', '/api/tools/check_http', { url: 'http://169.254.169.254/latest/meta-data/' }],
    ['POST', '/api/tools/check_service', { node: 'pve9', service: 'nginx' }],
    ['POST', '/api/tools/end_silence', { id: 999_999 }],
    ['GET', '/api/no/such/route'],
    ['DELETE', '/api/monitor/status'],
  ];

  for (const [method, path, body] of BAD) {
    it(`${method} ${path.slice(0, 60)} ${body === undefined ? '' : JSON.stringify(body).slice(0, 30)} → 4xx`, async () => {
      const res = await vigil.api(method, path, body);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(JSON.stringify(res.body)).not.toMatch(/internal error|stack|at .*\.ts:/);
    });
  }
});
