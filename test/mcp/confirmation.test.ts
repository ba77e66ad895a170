// Pins docs/ARCHITECTURE.md §5: red calls run only after elicitation accept+confirm or a redeemed operator approval, never on their own.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startTestVigil, textOf, type TestVigil } from '../helpers/vigil.js';
import { runs, toolsWithTestTools } from '../helpers/tools.js';

let clock = Date.now();
let vigil: TestVigil;

beforeAll(async () => {
  vigil = await startTestVigil({ tools: toolsWithTestTools(), now: () => clock });
});
afterAll(async () => vigil.close());
beforeEach(() => runs.clear());

const lastAudit = async () => (await vigil.core.stores.audit.list({ limit: 1 }))[0]!;

describe('red via elicitation', () => {
  it('runs on accept with confirm ticked, and audits it', async () => {
    const messages: string[] = [];
    const client = await vigil.connect({
      elicit: (message) => {
        messages.push(message);
        return { action: 'accept', content: { confirm: true } };
      },
    });
    const result = await client.callTool({ name: 'test_smash', arguments: { node: 'pve1', vmid: 101 } });
    expect(result.isError).toBe(false);
    expect(textOf(result)).toBe('smashed 101');
    expect(messages).toEqual(['Confirm: smash guest 101 on pve1?']);
    expect(runs.get('test_smash')).toBe(1);
    expect(await lastAudit()).toMatchObject({ tool: 'test_smash', decision: 'allowed', outcome: 'ok', tier: 'red' });
  });

  for (const [label, answer] of [
    ['decline', { action: 'decline' }],
    ['cancel', { action: 'cancel' }],
    ['accept without confirm', { action: 'accept', content: { confirm: false } }],
  ] as const) {
    it(`does not run on ${label}, and audits the denial`, async () => {
      const client = await vigil.connect({ elicit: () => answer });
      const result = await client.callTool({ name: 'test_smash', arguments: { node: 'pve1', vmid: 101 } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/^not confirmed: the user (declined|cancelled) "smash guest 101 on pve1"/);
      expect(runs.get('test_smash')).toBeUndefined();
      expect(await lastAudit()).toMatchObject({ tool: 'test_smash', decision: 'denied', outcome: 'not_run' });
    });
  }

  it('a confirmed: true argument alone never suffices', async () => {
    const client = await vigil.connect();
    const result = await client.callTool({
      name: 'test_smash',
      arguments: { node: 'pve1', vmid: 101, confirmed: true },
    });
    // SEP-1303: a tool result the model reads (naming the key and what it may send), not a protocol error.
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /^invalid arguments: Unrecognized key: "confirmed"\nFix: call test_smash again with only these arguments: node \(string, required\); vmid/,
    );
    expect(runs.get('test_smash')).toBeUndefined();
    expect(await lastAudit()).toMatchObject({ tool: 'test_smash', decision: 'invalid', outcome: 'not_run' });
  });
});

describe('red via operator approval', () => {
  async function requestApproval(client: Awaited<ReturnType<TestVigil['connect']>>, vmid = 102) {
    const result = await client.callTool({ name: 'test_smash', arguments: { node: 'pve1', vmid } });
    expect(result.isError).toBe(false);
    const data = result.structuredContent as { status: string; approvalId: string };
    expect(data.status).toBe('pending_approval');
    expect(textOf(result)).toContain(`vigil approve ${data.approvalId}`);
    expect(await lastAudit()).toMatchObject({ decision: 'pending', outcome: 'not_run', approvalId: data.approvalId });
    return data.approvalId;
  }

  it('pending → approved by the operator → re-call runs once; reuse is refused', async () => {
    const client = await vigil.connect();
    const id = await requestApproval(client);
    expect(runs.get('test_smash')).toBeUndefined();

    const approved = await vigil.api('POST', `/api/approvals/${id}/approve`);
    expect(approved.status).toBe(200);

    const run = await client.callTool({ name: 'test_smash', arguments: { node: 'pve1', vmid: 102, approval_id: id } });
    expect(run.isError).toBe(false);
    expect(textOf(run)).toBe('smashed 102');
    expect(runs.get('test_smash')).toBe(1);
    expect(await lastAudit()).toMatchObject({ decision: 'allowed', outcome: 'ok', approvalId: id });

    const again = await client.callTool({
      name: 'test_smash',
      arguments: { node: 'pve1', vmid: 102, approval_id: id },
    });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toMatch(/already used/);
    expect(runs.get('test_smash')).toBe(1);
  });

  it('refuses changed arguments, another identity (audited), and another tool; another session of the same identity redeems', async () => {
    const client = await vigil.connect();
    const id = await requestApproval(client, 103);
    expect((await vigil.api('POST', `/api/approvals/${id}/approve`)).status).toBe(200);

    const changed = await client.callTool({
      name: 'test_smash',
      arguments: { node: 'pve1', vmid: 104, approval_id: id },
    });
    expect(textOf(changed)).toMatch(/arguments differ/);

    // Same tool and arguments, another authenticated identity (an OAuth subject): refused and audited.
    const intruder = { kind: 'assistant', id: 'oauth:mallory', principal: 'oauth:mallory' } as const;
    const stolen = await vigil.core.pipeline.executeTool(
      'test_smash',
      { node: 'pve1', vmid: 103, approval_id: id },
      intruder,
    );
    expect(stolen).toMatchObject({ isError: true, text: expect.stringMatching(/another identity/) });
    expect(await lastAudit()).toMatchObject({
      tool: 'test_smash',
      callerId: 'oauth:mallory',
      decision: 'denied',
      outcome: 'not_run',
      approvalId: id,
      error: expect.stringMatching(/another identity/),
    });

    const otherTool = await client.callTool({ name: 'set_kill_switch', arguments: { active: false, approval_id: id } });
    expect(textOf(otherTool)).toMatch(/issued for test_smash/);
    expect(runs.get('test_smash')).toBeUndefined();

    // Failed redemptions do not burn the approval, and it is bound to the token, not the session:
    // a new session holding the same assistant token redeems it.
    await client.close();
    const later = await vigil.connect({ name: 'another-client' });
    const ok = await later.callTool({ name: 'test_smash', arguments: { node: 'pve1', vmid: 103, approval_id: id } });
    expect(ok.isError).toBe(false);
    expect(runs.get('test_smash')).toBe(1);
  });

  it('refuses an approval that is not yet approved, denied, or expired', async () => {
    const client = await vigil.connect();
    const pendingId = await requestApproval(client, 105);
    const early = await client.callTool({
      name: 'test_smash',
      arguments: { node: 'pve1', vmid: 105, approval_id: pendingId },
    });
    expect(textOf(early)).toMatch(/is pending, not approved/);

    expect((await vigil.api('POST', `/api/approvals/${pendingId}/deny`)).status).toBe(200);
    const denied = await client.callTool({
      name: 'test_smash',
      arguments: { node: 'pve1', vmid: 105, approval_id: pendingId },
    });
    expect(textOf(denied)).toMatch(/is denied/);

    const expiring = await requestApproval(client, 106);
    expect((await vigil.api('POST', `/api/approvals/${expiring}/approve`)).status).toBe(200);
    clock += 601_000;
    const late = await client.callTool({
      name: 'test_smash',
      arguments: { node: 'pve1', vmid: 106, approval_id: expiring },
    });
    expect(textOf(late)).toMatch(/expired/);
    expect(runs.get('test_smash')).toBeUndefined();
  });

  it('cannot be approved with the assistant token, nor without a token', async () => {
    const client = await vigil.connect();
    const id = await requestApproval(client, 107);
    const asAssistant = await vigil.api('POST', `/api/approvals/${id}/approve`, undefined, vigil.assistantToken);
    expect(asAssistant.status).toBe(403);
    const anonymous = await vigil.api('POST', `/api/approvals/${id}/approve`, undefined, null);
    expect(anonymous.status).toBe(401);
    // The assistant cannot reach approve_action through MCP either: it is not listed and refused by name.
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).not.toContain('approve_action');
    const byName = await client.callTool({ name: 'approve_action', arguments: { id, verdict: 'approve' } });
    expect(byName.isError).toBe(true);
    expect(textOf(byName)).toMatch(/cannot be called by the assistant/);
    expect((await vigil.core.stores.approvals.get(id, clock))?.status).toBe('pending');
  });
  it('can be approved from the CLI with `vigil approve ID`', async () => {
    const client = await vigil.connect();
    const id = await requestApproval(client, 108);
    const cli = await runCli(['approve', id, '--config', vigil.configFile]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(new RegExp(`Approval ${id} approved`));
    const run = await client.callTool({ name: 'test_smash', arguments: { node: 'pve1', vmid: 108, approval_id: id } });
    expect(run.isError).toBe(false);
    expect(
      (await vigil.core.stores.audit.list({ limit: 5 })).some(
        (r) => r.tool === 'approve_action' && r.callerKind === 'operator' && r.callerId === 'cli',
      ),
    ).toBe(true);
  });
});
