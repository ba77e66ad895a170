// Pins MCP prompts over Streamable HTTP with the SDK client: the three prompts, the green tools each names, and argument errors that name the argument.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestVigil, type TestVigil } from '../helpers/vigil.js';

let vigil: TestVigil;
let client: Client;

beforeAll(async () => {
  vigil = await startTestVigil({
    yaml: 'nodes:\n  - name: pve1\n  - name: pve2\n',
  });
  client = await vigil.connect({ name: 'prompt-test' });
});
afterAll(async () => vigil.close());

const textOf = (messages: { content: { type: string; text?: string } }[]) =>
  messages.map((m) => (m.content.type === 'text' ? m.content.text : '')).join('\n');

/** Every tool a prompt names must be a green tool the assistant sees. */
async function expectGreenTools(text: string, expected: string[]): Promise<void> {
  const { tools } = await client.listTools();
  const green = new Set(tools.filter((t) => t.description?.startsWith('[green]')).map((t) => t.name));
  const named = tools.map((t) => t.name).filter((name) => new RegExp(`\\b${name}\\b`).test(text));
  expect(named.sort()).toEqual([...expected].sort());
  for (const name of named) expect(green.has(name), `${name} is green`).toBe(true);
}

describe('MCP prompts', () => {
  it('lists triage_node, explain_incident and weekly_report with their arguments', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => [p.name, (p.arguments ?? []).map((a) => `${a.name}${a.required ? '!' : ''}`)])).toEqual([
      ['triage_node', ['node!']],
      ['explain_incident', ['incident_id!']],
      ['weekly_report', []],
    ]);
  });

  it('triage_node names the node and the green tools it relies on', async () => {
    const { messages } = await client.getPrompt({ name: 'triage_node', arguments: { node: 'pve2' } });
    const text = textOf(messages);
    expect(text).toContain('{"node": "pve2"}');
    await expectGreenTools(text, [
      'get_node_status',
      'get_incidents',
      'get_autonomy_actions',
      'list_guests',
      'list_tasks',
      'list_storage',
      'forecast_disk',
      'check_service',
      'read_journal',
    ]);
  });

  it('explain_incident embeds the incident as a resource and names its green tools', async () => {
    const incident = await vigil.core.stores.monitor.openIncident(
      {
        key: 'guest.crashed:105',
        condition: 'guest.crashed',
        target: '105',
        node: 'pve1',
        severity: 'critical',
        summary: 'guest 105 crashed',
        details: {},
        flapping: false,
      },
      Date.now(),
    );
    const { messages } = await client.getPrompt({
      name: 'explain_incident',
      arguments: { incident_id: String(incident.id) },
    });
    expect(messages[0]!.content).toMatchObject({
      type: 'resource',
      resource: { uri: `vigil://incidents/${incident.id}`, mimeType: 'application/json' },
    });
    const text = textOf(messages);
    expect(text).toContain('guest.crashed:105');
    await expectGreenTools(text, ['get_autonomy_actions', 'get_events', 'get_audit_log', 'get_incidents']);
  });

  it('weekly_report names its green tools', async () => {
    const { messages } = await client.getPrompt({ name: 'weekly_report' });
    await expectGreenTools(textOf(messages), [
      'get_cluster_status',
      'get_incidents',
      'get_autonomy_actions',
      'get_monitor_status',
      'forecast_disk',
      'list_backups',
      'get_audit_log',
    ]);
  });

  it('refuses bad arguments with InvalidParams naming the argument', async () => {
    const cases: [string, Record<string, string>, string][] = [
      ['triage_node', {}, 'node: required — a node from vigil.yaml'],
      ['triage_node', { node: 'pve9' }, 'node: "pve9" is not a configured node; expected one of pve1, pve2'],
      ['triage_node', { node: 'pve1', extra: 'x' }, 'extra: not an argument of triage_node (it takes node)'],
      ['explain_incident', { incident_id: 'abc' }, 'incident_id: expected a positive integer such as 12, got "abc"'],
      ['explain_incident', { incident_id: '9999' }, 'incident_id: no incident #9999; list them with get_incidents'],
      ['weekly_report', { days: '7' }, 'days: not an argument of weekly_report (it takes none)'],
      ['nope', {}, 'name: no prompt "nope"; expected one of triage_node, explain_incident, weekly_report'],
    ];
    for (const [name, args, message] of cases) {
      const err = await client.getPrompt({ name, arguments: args }).catch((e: unknown) => e);
      expect(err, name).toMatchObject({ code: -32602, message: `MCP error -32602: ${message}` });
    }
  });
});
