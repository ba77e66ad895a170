// Pins MCP resources over Streamable HTTP with the SDK client: listing, templates, reads without session ids or secrets, -32602 with the URI as data for unknown URIs (SEP-2164), and update / list_changed notifications driven by the event bus.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { startTestVigil, type TestVigil } from '../helpers/vigil.js';
import { eventually } from '../monitor/harness.js';

let vigil: TestVigil;
let client: Client;
const updated: string[] = [];
let listChanged = 0;

beforeAll(async () => {
  vigil = await startTestVigil();
  client = await vigil.connect({ name: 'resource-test' });
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri));
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void listChanged++);
});
afterAll(async () => vigil.close());

/** Opens an incident the way the monitor does: the row and its event in one transaction. */
async function openIncident(target: string) {
  const { bus } = vigil.core;
  const done = await bus.publishWith(
    (m) =>
      m.tryOpenIncident(
        {
          key: `guest.crashed:${target}`,
          condition: 'guest.crashed',
          target,
          node: 'pve1',
          severity: 'critical',
          summary: `guest ${target} crashed`,
          details: { seen: vigil.assistantToken },
          flapping: false,
        },
        Date.now(),
      ),
    (i) => ({
      type: 'incident.opened',
      severity: 'critical',
      title: `guest.crashed ${target}`,
      message: 'crashed',
      incidentKey: i.key,
      data: { incidentId: i.id },
    }),
  );
  return done!.value;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests index into the JSON a resource holds
async function readJson(uri: string): Promise<any> {
  const { contents } = await client.readResource({ uri });
  expect(contents).toHaveLength(1);
  expect(contents[0]).toMatchObject({ uri, mimeType: 'application/json' });
  return JSON.parse((contents[0] as { text: string }).text);
}

describe('MCP resources', () => {
  it('declares resources with subscribe and listChanged, and prompts, in initialize', async () => {
    expect(client.getServerCapabilities()).toMatchObject({
      resources: { subscribe: true, listChanged: true },
      prompts: {},
      tools: {},
    });
  });

  it('lists the static resources and the three templates', async () => {
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(['vigil://cluster', 'vigil://incidents']);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual([
      'vigil://incidents/{id}',
      'vigil://audit/{id}',
      'vigil://approvals/{id}',
    ]);
    expect(resourceTemplates.every((t) => t.mimeType === 'application/json')).toBe(true);
  });

  it('answers an unknown or malformed URI with -32602 (SEP-2164), the URI as data and a one-line message', async () => {
    for (const uri of ['vigil://nope', 'vigil://incidents/999999', 'vigil://incidents/abc', 'file:///etc/passwd']) {
      const err = await client.readResource({ uri }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: -32602, data: { uri } });
      expect((err as Error).message).toBe(`MCP error -32602: resource not found: ${JSON.stringify(uri)}`);
    }
    await expect(client.subscribeResource({ uri: 'vigil://audit/424242' })).rejects.toMatchObject({ code: -32602 });
  });

  it('reads an audit row without its session id or chain hashes', async () => {
    const call = await client.callTool({ name: 'get_events', arguments: {} });
    expect(call.isError).toBeFalsy();
    const id = await vigil.core.stores.audit.lastId();
    const raw = (await vigil.core.stores.audit.list({ limit: 1 }))[0]!;
    expect(raw.sessionId).toBeTruthy();
    const row = await readJson(`vigil://audit/${id}`);
    expect(row).toMatchObject({ id, tool: 'get_events', callerKind: 'assistant', callerId: 'resource-test' });
    expect(row).not.toHaveProperty('sessionId');
    expect(row).not.toHaveProperty('hash');
    expect(JSON.stringify(row)).not.toContain(raw.sessionId!);
  });

  it('notifies a subscriber when an incident opens and resolves, and the listing changes', async () => {
    await client.subscribeResource({ uri: 'vigil://incidents' });
    await client.subscribeResource({ uri: 'vigil://cluster' });
    const before = listChanged;
    const incident = await openIncident('101');
    await eventually(() => updated.includes('vigil://incidents') && listChanged > before, 5000, 'update');
    expect(updated).toContain('vigil://cluster');
    const open = await readJson('vigil://incidents');
    expect(open.incidents.map((i: { key: string }) => i.key)).toEqual(['guest.crashed:101']);
    // Secrets in details never reach the client.
    expect(JSON.stringify(open)).not.toContain(vigil.assistantToken);
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toContain(`vigil://incidents/${incident.id}`);

    const uri = `vigil://incidents/${incident.id}`;
    await client.subscribeResource({ uri });
    updated.length = 0;
    const { bus, stores } = vigil.core;
    await bus.publishWith(
      (m) => m.resolveIncident(incident.id, Date.now()),
      () => ({
        type: 'incident.resolved',
        severity: 'info',
        title: 'resolved',
        message: 'ok',
        incidentKey: incident.key,
      }),
    );
    await eventually(() => updated.includes(uri), 5000, 'incident update');
    expect((await readJson(uri)).status).toBe('resolved');
    expect((await readJson('vigil://incidents')).incidents).toEqual([]);

    await client.unsubscribeResource({ uri });
    await client.unsubscribeResource({ uri: 'vigil://incidents' });
    await client.unsubscribeResource({ uri: 'vigil://cluster' });
    updated.length = 0;
    const other = await openIncident('102');
    await eventually(() => listChanged > before + 1, 5000, 'list change');
    expect(updated).toEqual([]);
    await stores.monitor.resolveIncident(other.id, Date.now());
  });

  it('serves an approval without its session id and with secrets redacted, and notifies its decision', async () => {
    const { stores, bus } = vigil.core;
    const approval = await stores.approvals.create(
      {
        tool: 'run_command',
        args: { node: 'pve1', command: `curl -H ${vigil.operatorToken}` },
        sessionId: 'session-that-must-stay-hidden',
        callerKind: 'assistant',
        callerId: 'resource-test',
        plan: 'run a command',
        ttlMs: 60_000,
      },
      Date.now(),
    );
    const uri = `vigil://approvals/${approval.id}`;
    await client.subscribeResource({ uri });
    const seen = await readJson(uri);
    expect(seen).toMatchObject({ id: approval.id, tool: 'run_command', status: 'pending' });
    expect(Object.keys(seen)).not.toContain('sessionId');
    expect(JSON.stringify(seen)).not.toContain('session-that-must-stay-hidden');
    expect(JSON.stringify(seen)).not.toContain(vigil.operatorToken);

    updated.length = 0;
    await stores.approvals.decide(approval.id, 'denied', 'operator', Date.now());
    await bus.publish({ type: 'approval.resolved', severity: 'info', title: 'denied', message: 'denied' });
    await eventually(() => updated.includes(uri), 5000, 'approval update');
    expect((await readJson(uri)).status).toBe('denied');
  });
});
