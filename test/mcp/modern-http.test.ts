// Pins MCP revision 2026-07-28 over Streamable HTTP with the SDK v2 client: discovery, tools with outputSchema, isError validation, red confirmed across input-required rounds with one approval and one audit row, and resource updates through subscriptions/listen.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  Client,
  StreamableHTTPClientTransport,
  type ClientCapabilities,
  type ElicitResult,
} from '@modelcontextprotocol/client';
import { startTestVigil, textOf, type TestVigil } from '../helpers/vigil.js';
import { runs, toolsWithTestTools } from '../helpers/tools.js';

let vigil: TestVigil;
const clients: Client[] = [];

beforeAll(async () => {
  vigil = await startTestVigil({ tools: toolsWithTestTools() });
});
afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await vigil.close();
});
beforeEach(() => runs.clear());

interface Asked {
  mode?: string;
  url?: string;
  message: string;
}

/** A v2 client pinned to 2026-07-28; `answer` fulfils the input requests its calls come back with. */
async function modernClient(
  answer: (params: Asked) => ElicitResult | Promise<ElicitResult> = () => ({ action: 'cancel' }),
  elicitation: ClientCapabilities['elicitation'] = { form: {}, url: {} },
): Promise<{ client: Client; asked: Asked[] }> {
  const client = new Client(
    { name: 'modern-client', version: '2.4.0' },
    { capabilities: { elicitation }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  const asked: Asked[] = [];
  client.setRequestHandler('elicitation/create', async (request) => {
    const params = request.params as Asked;
    asked.push(params);
    return answer(params);
  });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${vigil.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${vigil.assistantToken}` } },
    }),
  );
  clients.push(client);
  return { client, asked };
}

const smash = (vmid: number) => ({ name: 'test_smash', arguments: { node: 'pve1', vmid } });
const rowsFor = async (vmid: number) =>
  (await vigil.core.stores.audit.list({ limit: 200 })).filter(
    (r) => r.tool === 'test_smash' && (r.args as { vmid?: number }).vmid === vmid,
  );
const approvalsFor = async (vmid: number) =>
  (await vigil.core.stores.approvals.recent(200, Date.now())).filter(
    (a) => (a.args as { vmid?: number }).vmid === vmid,
  );

describe('MCP 2026-07-28 over HTTP', () => {
  it('negotiates 2026-07-28 and lists the tools with their outputSchema', async () => {
    const { client } = await modernClient();
    expect(client.getProtocolEra()).toBe('modern');
    expect(client.getServerVersion()?.name).toBe('vigil');
    const { tools } = await client.listTools();
    const status = tools.find((t) => t.name === 'get_cluster_status');
    expect(status?.outputSchema).toMatchObject({ type: 'object' });
    expect(status?.annotations?.idempotentHint).toBe(true);
  });

  it('is what a v2 client picks on its own, and its legacy mode still opens a 2025-11-25 session', async () => {
    const connect = async (mode: 'auto' | 'legacy') => {
      const client = new Client({ name: `v2-${mode}`, version: '2.4.0' }, { versionNegotiation: { mode } });
      const transport = new StreamableHTTPClientTransport(new URL(`${vigil.url}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${vigil.assistantToken}` } },
      });
      await client.connect(transport);
      clients.push(client);
      return { version: client.getNegotiatedProtocolVersion(), session: transport.sessionId };
    };
    expect(await connect('auto')).toEqual({ version: '2026-07-28', session: undefined });
    const legacy = await connect('legacy');
    expect(legacy.version).toBe('2025-11-25');
    expect(legacy.session).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers a green call, and invalid arguments as an isError result naming the field', async () => {
    const { client } = await modernClient();
    const ok = await client.callTool({ name: 'test_echo', arguments: { text: 'hi' } });
    expect(ok.isError).toBeFalsy();
    const bad = await client.callTool({ name: 'test_echo', arguments: { text: 5 } });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/text/);
  });

  it('asks for the approval page in an input-required round, and runs on the retry once the operator approved', async () => {
    const { client, asked } = await modernClient((params) => {
      const id = /approval (apr_[A-Za-z0-9_-]+)/.exec(params.message)![1]!;
      // The user opens the page; the operator approves it there before the client retries.
      return vigil.api('POST', `/api/approvals/${id}/approve`).then(() => ({ action: 'accept' as const }));
    });
    const result = await client.callTool(smash(301));
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe('smashed 301');
    expect(runs.get('test_smash')).toBe(1);

    expect(asked).toHaveLength(1);
    const [approval] = await approvalsFor(301);
    expect(await approvalsFor(301)).toHaveLength(1);
    expect(asked[0]).toMatchObject({ mode: 'url', url: `${vigil.url}/#/approvals/${approval!.id}` });
    expect(approval!.status).toBe('used');
    expect(await rowsFor(301)).toHaveLength(1);
    expect((await rowsFor(301))[0]).toMatchObject({ decision: 'allowed', outcome: 'ok', approvalId: approval!.id });
  });

  it('answers with the pending approval, filed once, when the operator has not decided at the retry', async () => {
    const { client } = await modernClient(() => ({ action: 'accept' }));
    const result = await client.callTool(smash(302));
    const data = result.structuredContent as { status: string; approvalId: string };
    expect(data.status).toBe('pending_approval');
    expect(textOf(result)).toMatch(/^The operator has not decided yet/);
    expect((await approvalsFor(302)).map((a) => a.id)).toEqual([data.approvalId]);
    expect(await rowsFor(302)).toHaveLength(1);
    expect(runs.get('test_smash')).toBeUndefined();
  });

  it('withdraws the approval when the user declines to open the page', async () => {
    const { client } = await modernClient(() => ({ action: 'decline' }));
    const result = await client.callTool(smash(303));
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/the user declined "smash guest 303 on pve1"/);
    expect((await approvalsFor(303)).map((a) => a.status)).toEqual(['denied']);
    expect(await rowsFor(303)).toMatchObject([{ decision: 'denied', outcome: 'not_run' }]);
  });

  it('confirms by form when the client cannot open a URL', async () => {
    const { client, asked } = await modernClient(() => ({ action: 'accept', content: { confirm: true } }), {
      form: {},
    });
    const result = await client.callTool(smash(304));
    expect(textOf(result)).toBe('smashed 304');
    expect(asked[0]?.mode ?? 'form').toBe('form');
    expect(await approvalsFor(304)).toEqual([]);
    expect(await rowsFor(304)).toMatchObject([{ decision: 'allowed', outcome: 'ok' }]);
  });

  it('reads resources and hears of an incident opening through subscriptions/listen', async () => {
    const { client } = await modernClient();
    const listing = await client.listResources();
    expect(listing.resources.map((r) => r.uri)).toContain('vigil://incidents');
    const updated: string[] = [];
    client.setNotificationHandler('notifications/resources/updated', (n) => {
      updated.push(n.params.uri);
    });
    const subscription = await client.listen({ resourceSubscriptions: ['vigil://incidents'] });
    expect(subscription.honoredFilter.resourceSubscriptions).toEqual(['vigil://incidents']);

    const { bus, stores } = vigil.core;
    const incident = (await bus.publishWith(
      async () =>
        await stores.monitor.tryOpenIncident(
          {
            key: 'guest.crashed:401',
            condition: 'guest.crashed',
            target: '401',
            node: 'pve1',
            severity: 'critical',
            summary: 'guest 401 crashed',
            details: {},
            flapping: false,
          },
          Date.now(),
        ),
      (i) => ({
        type: 'incident.opened',
        severity: 'critical',
        title: 'guest.crashed 401',
        message: 'crashed',
        incidentKey: i.key,
        data: { incidentId: i.id },
      }),
    ))!.value;
    await expect.poll(() => updated).toContain('vigil://incidents');
    const read = await client.readResource({ uri: 'vigil://incidents' });
    const open = JSON.parse((read.contents[0] as { text: string }).text) as { incidents: { id: number }[] };
    expect(open.incidents.map((i) => i.id)).toEqual([incident.id]);
    await subscription.close();
  });
});
