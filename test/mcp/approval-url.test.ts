// Pins URL-mode confirmation (MCP 2025-11-25): a client declaring elicitation.url is sent to the approval's dashboard page and the call waits for the operator; a form-only client keeps the form.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ElicitationCompleteNotificationSchema,
  ElicitRequestSchema,
  type ElicitRequest,
  type ElicitResult,
} from '@modelcontextprotocol/sdk/types.js';
import { startTestVigil, textOf, type TestVigil } from '../helpers/vigil.js';
import { runs, toolsWithTestTools } from '../helpers/tools.js';

let clock = Date.now();
let vigil: TestVigil;
const clients: Client[] = [];

beforeAll(async () => {
  vigil = await startTestVigil({ tools: toolsWithTestTools(), now: () => clock });
});
afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await vigil.close();
});
beforeEach(() => runs.clear());

/** A real SDK client over HTTP that declares URL-mode (and form-mode) elicitation. */
async function urlClient(answer: (params: ElicitRequest['params']) => ElicitResult | Promise<ElicitResult>) {
  const client = new Client(
    { name: 'url-client', version: '1.0.0' },
    { capabilities: { elicitation: { form: {}, url: {} } } },
  );
  const completed: string[] = [];
  client.setRequestHandler(ElicitRequestSchema, async (request) => answer(request.params));
  client.setNotificationHandler(ElicitationCompleteNotificationSchema, (n) => {
    completed.push(n.params.elicitationId);
  });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${vigil.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${vigil.assistantToken}` } },
    }),
  );
  clients.push(client);
  return { client, completed };
}

/** What the user does after agreeing to open the page: here, the operator decides on it. */
function later(action: () => unknown): void {
  setTimeout(() => void action(), 50);
}

const lastAudit = async () => (await vigil.core.stores.audit.list({ limit: 1 }))[0]!;
const smash = (vmid: number) => ({ name: 'test_smash', arguments: { node: 'pve1', vmid } });

describe('URL-mode confirmation', () => {
  it("points at the approval's dashboard page and runs once the operator approves there", async () => {
    const asked: ElicitRequest['params'][] = [];
    const { client, completed } = await urlClient((params) => {
      asked.push(params);
      const id = (params as { elicitationId: string }).elicitationId;
      later(() => vigil.api('POST', `/api/approvals/${id}/approve`));
      return { action: 'accept' };
    });
    const result = await client.callTool(smash(201));
    expect(result.isError).toBe(false);
    expect(textOf(result)).toBe('smashed 201');
    expect(runs.get('test_smash')).toBe(1);

    const [params] = asked as [{ mode: string; url: string; elicitationId: string; message: string }];
    expect(params.mode).toBe('url');
    expect(params.elicitationId).toMatch(/^apr_/);
    expect(params.url).toBe(`${vigil.url}/#/approvals/${params.elicitationId}`);
    expect(params.message).toContain('operator token');
    expect(await lastAudit()).toMatchObject({ decision: 'allowed', outcome: 'ok', approvalId: params.elicitationId });
    expect((await vigil.core.stores.approvals.get(params.elicitationId, clock))?.status).toBe('used');
    await expect.poll(() => completed).toEqual([params.elicitationId]);
  });

  it('refuses when the operator denies on the page', async () => {
    const { client } = await urlClient((params) => {
      const id = (params as { elicitationId: string }).elicitationId;
      later(() => vigil.api('POST', `/api/approvals/${id}/deny`));
      return { action: 'accept' };
    });
    const result = await client.callTool(smash(202));
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/is denied, not approved/);
    expect(runs.get('test_smash')).toBeUndefined();
    expect(await lastAudit()).toMatchObject({ decision: 'denied', outcome: 'not_run' });
  });

  it('withdraws the approval when the user declines to open the page', async () => {
    let id = '';
    const { client } = await urlClient((params) => {
      id = (params as { elicitationId: string }).elicitationId;
      return { action: 'decline' };
    });
    const result = await client.callTool(smash(203));
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/the user declined "smash guest 203 on pve1"/);
    expect((await vigil.core.stores.approvals.get(id, clock))?.status).toBe('denied');
    expect((await vigil.core.stores.approvals.pending(clock)).map((a) => a.id)).not.toContain(id);
  });

  it('answers with the pending approval when the operator has not decided within the bound', async () => {
    const { client } = await urlClient(() => {
      // The operator stays away: the wait's bound passes on vigil's clock.
      later(() => (clock += 46_000));
      return { action: 'accept' };
    });
    const result = await client.callTool(smash(204));
    expect(result.isError).toBe(false);
    const data = result.structuredContent as { status: string; approvalId: string };
    expect(data.status).toBe('pending_approval');
    expect(textOf(result)).toMatch(/^The operator has not decided yet/);
    expect((await vigil.core.stores.approvals.pending(clock)).map((a) => a.id)).toContain(data.approvalId);
    expect(runs.get('test_smash')).toBeUndefined();

    // It stays redeemable with approval_id once the operator approves.
    expect((await vigil.api('POST', `/api/approvals/${data.approvalId}/approve`)).status).toBe(200);
    const run = await client.callTool({
      name: 'test_smash',
      arguments: { node: 'pve1', vmid: 204, approval_id: data.approvalId },
    });
    expect(run.isError).toBe(false);
  });
});

describe('a form-only client', () => {
  it('keeps the form confirmation (no URL)', async () => {
    const asked: ElicitRequest['params'][] = [];
    const client = await vigil.connect({
      elicit: (message) => {
        asked.push({ message } as ElicitRequest['params']);
        return { action: 'accept', content: { confirm: true } };
      },
    });
    const result = await client.callTool(smash(205));
    expect(result.isError).toBe(false);
    expect(asked.map((p) => p.message)).toEqual(['Confirm: smash guest 205 on pve1?']);
  });
});
