// Pins approvals across processes: a one-shot stdio client (`vigil mcp` started per call) redeems, from a new process, the approval an earlier process asked for, once; a stdio client with URL-mode elicitation waits for the daemon's decision.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { startTestVigil, textOf, type TestVigil } from '../helpers/vigil.js';

const ROOT = join(import.meta.dirname, '..', '..');
let vigil: TestVigil;

beforeAll(async () => {
  vigil = await startTestVigil();
});
afterAll(async () => vigil.close());

/**
 * Starts `vigil mcp` for one call, as an assistant that spawns it per call does, and stops it.
 * With `onUrl`, the client declares URL-mode elicitation and accepts to open the page.
 */
async function oneShot(args: Record<string, unknown>, onUrl?: (url: string, id: string) => void) {
  const client = new Client(
    { name: 'one-shot', version: '1' },
    { capabilities: onUrl ? { elicitation: { url: {} } } : {} },
  );
  if (onUrl) {
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      const params = request.params as { url: string; elicitationId: string };
      onUrl(params.url, params.elicitationId);
      return { action: 'accept' };
    });
  }
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', 'src/cli.ts', 'mcp', '--config', vigil.configFile],
      cwd: ROOT,
      stderr: 'ignore',
    }),
  );
  try {
    return await client.callTool({ name: 'set_kill_switch', arguments: args });
  } finally {
    await client.close();
  }
}

describe('an approval asked by one stdio process', () => {
  it('is redeemed by the next process after the operator approves, and only once', async () => {
    const engaged = await vigil.api('PUT', '/api/monitor/killswitch', { active: true, scope: 'autonomy' });
    expect(engaged.status).toBe(200);
    const asked = await oneShot({ active: false });
    const data = asked.structuredContent as { status: string; approvalId: string };
    expect(data.status).toBe('pending_approval');
    expect(await vigil.core.stores.approvals.get(data.approvalId, Date.now())).toMatchObject({
      status: 'pending',
      principal: 'assistant-token',
    });

    expect((await vigil.api('POST', `/api/approvals/${data.approvalId}/approve`)).status).toBe(200);

    const run = await oneShot({ active: false, approval_id: data.approvalId });
    expect(run.isError).toBe(false);
    expect((await vigil.core.stores.preferences.killSwitch()).active).toBe(false);
    const row = (await vigil.core.stores.audit.list({ limit: 1 }))[0]!;
    expect(row).toMatchObject({
      tool: 'set_kill_switch',
      decision: 'allowed',
      outcome: 'ok',
      approvalId: data.approvalId,
    });

    const again = await oneShot({ active: false, approval_id: data.approvalId });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toMatch(/already used/);
  }, 60_000);

  it('with URL-mode elicitation, points at the configured dashboard and runs once the daemon records the approval', async () => {
    let page = '';
    const run = await oneShot({ active: false }, (url, id) => {
      page = url;
      // The operator approves on the daemon; the stdio process sees it in the shared database.
      setTimeout(() => void vigil.api('POST', `/api/approvals/${id}/approve`), 100);
    });
    expect(page).toMatch(/^http:\/\/127\.0\.0\.1:8377\/#\/approvals\/apr_/);
    expect(run.isError).toBe(false);
    const row = (await vigil.core.stores.audit.list({ limit: 1 }))[0]!;
    expect(row).toMatchObject({ tool: 'set_kill_switch', decision: 'allowed', outcome: 'ok' });
    expect(row.approvalId).toBe(page.split('/').pop());
  }, 60_000);
});
