// Pins `vigil mcp` (stdio) for revision 2026-07-28 with the SDK v2 client: discovery and tools, isError validation, a red call confirmed across input-required rounds by the daemon's operator with one approval and one audit row, and incidents reaching subscriptions/listen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Client, type ElicitResult } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { startTestVigil, textOf, type TestVigil } from '../helpers/vigil.js';

const ROOT = join(import.meta.dirname, '..', '..');
let vigil: TestVigil;
let client: Client;
let answer: (params: { mode?: string; url?: string }) => Promise<ElicitResult> = async () => ({ action: 'cancel' });

beforeAll(async () => {
  vigil = await startTestVigil();
  client = new Client(
    { name: 'modern-stdio', version: '2.4.0' },
    {
      capabilities: { elicitation: { form: {}, url: {} } },
      versionNegotiation: { mode: { pin: '2026-07-28' } },
    },
  );
  client.setRequestHandler('elicitation/create', async (request) => answer(request.params as { url?: string }));
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', 'src/cli.ts', 'mcp', '--config', vigil.configFile],
      cwd: ROOT,
      stderr: 'ignore',
    }),
  );
}, 60_000);
afterAll(async () => {
  await client?.close();
  await vigil.close();
});

const killSwitchRows = async () =>
  (await vigil.core.stores.audit.list({ limit: 200 })).filter(
    (r) => r.tool === 'set_kill_switch' && r.callerId === 'modern-stdio',
  );

describe('vigil mcp at revision 2026-07-28', () => {
  it('negotiates 2026-07-28, lists tools with outputSchema, and answers bad arguments with isError', async () => {
    expect(client.getProtocolEra()).toBe('modern');
    const { tools } = await client.listTools();
    expect(tools.find((t) => t.name === 'set_kill_switch')?.outputSchema).toBeDefined();
    const events = await client.callTool({ name: 'get_events', arguments: {} });
    expect(events.isError).toBeFalsy();
    const bad = await client.callTool({ name: 'set_kill_switch', arguments: { active: 'yes' } });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/active/);
  });

  it('confirms a red call by the approval page across rounds, once the daemon records the approval', async () => {
    expect((await vigil.api('PUT', '/api/monitor/killswitch', { active: true, scope: 'autonomy' })).status).toBe(200);
    const pages: string[] = [];
    answer = async (params) => {
      pages.push(params.url ?? '');
      const id = /#\/approvals\/(apr_[A-Za-z0-9_-]+)$/.exec(params.url ?? '')?.[1];
      expect((await vigil.api('POST', `/api/approvals/${id}/approve`)).status).toBe(200);
      return { action: 'accept' };
    };
    const before = (await vigil.core.stores.approvals.recent(100, Date.now())).length;
    const run = await client.callTool({ name: 'set_kill_switch', arguments: { active: false } });
    expect(run.isError).toBeFalsy();
    expect((await vigil.core.stores.preferences.killSwitch()).active).toBe(false);
    expect(pages).toHaveLength(1);
    const approvals = await vigil.core.stores.approvals.recent(100, Date.now());
    expect(approvals).toHaveLength(before + 1);
    expect(pages[0]).toContain(`/#/approvals/${approvals[0]!.id}`);
    expect(approvals[0]!.status).toBe('used');
    expect((await killSwitchRows()).filter((r) => r.approvalId === approvals[0]!.id)).toMatchObject([
      { decision: 'allowed', outcome: 'ok' },
    ]);
  }, 30_000);

  it('tells a subscriptions/listen stream when an incident opens in the daemon', async () => {
    const updated: string[] = [];
    client.setNotificationHandler('notifications/resources/updated', (n) => {
      updated.push(n.params.uri);
    });
    const subscription = await client.listen({ resourceSubscriptions: ['vigil://incidents'] });
    const { bus, stores } = vigil.core;
    await bus.publishWith(
      async () =>
        await stores.monitor.tryOpenIncident(
          {
            key: 'guest.crashed:501',
            condition: 'guest.crashed',
            target: '501',
            node: 'pve1',
            severity: 'critical',
            summary: 'guest 501 crashed',
            details: {},
            flapping: false,
          },
          Date.now(),
        ),
      (i) => ({
        type: 'incident.opened',
        severity: 'critical',
        title: 'guest.crashed 501',
        message: 'crashed',
        incidentKey: i.key,
        data: { incidentId: i.id },
      }),
    );
    await expect.poll(() => updated, { timeout: 10_000 }).toContain('vigil://incidents');
    await subscription.close();
  }, 30_000);
});
