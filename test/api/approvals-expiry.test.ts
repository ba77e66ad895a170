// Pins expiry at read time: an approval past its expiry leaves GET /api/approvals' pending view, the dashboard overview and `vigil status` (get_monitor_status) without any sweep.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestVigil, type TestVigil } from '../helpers/vigil.js';
import { toolsWithTestTools } from '../helpers/tools.js';

let clock = Date.now();
let vigil: TestVigil;

beforeAll(async () => {
  vigil = await startTestVigil({ tools: toolsWithTestTools(), now: () => clock });
});
afterAll(async () => vigil.close());

/** What `vigil status` reads: get_monitor_status as the CLI operator. */
async function statusPending(): Promise<string[]> {
  const result = await vigil.core.pipeline.executeTool('get_monitor_status', {}, { kind: 'operator', id: 'cli' });
  const data = (result as { data?: { pendingApprovals: { id: string }[] } }).data;
  return data!.pendingApprovals.map((a) => a.id);
}

describe('an expired approval', () => {
  it('is pending everywhere until it expires, then nowhere', async () => {
    const assistant = await vigil.connect();
    const asked = [];
    for (const vmid of [401, 402, 403, 404]) {
      const r = await assistant.callTool({ name: 'test_smash', arguments: { node: 'pve1', vmid } });
      asked.push((r.structuredContent as { approvalId: string }).approvalId);
    }
    expect((await vigil.api('GET', '/api/approvals')).body.pending.map((a: { id: string }) => a.id)).toEqual(asked);
    expect((await vigil.api('GET', '/api/overview')).body.status.pendingApprovals).toHaveLength(4);
    expect(await statusPending()).toEqual(asked);

    clock += 601_000;
    const approvals = await vigil.api('GET', '/api/approvals');
    expect(approvals.body.pending).toEqual([]);
    expect(approvals.body.recent.map((a: { status: string }) => a.status)).toEqual(Array(4).fill('expired'));
    expect((await vigil.api('GET', '/api/overview')).body.status.pendingApprovals).toEqual([]);
    expect(await statusPending()).toEqual([]);
  });
});
