// Pins `vigil demo`: starts on a fresh data dir, prints endpoints and tokens, MCP answers tools/list and reaches the lab, chaos makes incidents the monitor remediates on /events, stops cleanly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { streamClient } from '../realtime/stream-client.js';
import { startDemo, type DemoProcess } from './demo-process.js';

const ASSISTANT = `demo-assistant-${process.pid}-0123456789`;
const OPERATOR = `demo-operator-${process.pid}-0123456789`;

describe('vigil demo', () => {
  let parent: string;
  let dataDir: string;
  let demo: DemoProcess;

  beforeAll(async () => {
    parent = mkdtempSync(join(tmpdir(), 'vigil-demo-test-'));
    dataDir = join(parent, 'fresh'); // does not exist yet
    demo = await startDemo(
      ['--chaos-every', '2'],
      { VIGIL_ASSISTANT_TOKEN: ASSISTANT, VIGIL_OPERATOR_TOKEN: OPERATOR },
      dataDir,
    );
  });

  afterAll(async () => {
    await demo?.stop();
    rmSync(parent, { recursive: true, force: true });
  });

  it('prints the endpoints, the tokens from the environment and both MCP client configurations', () => {
    const text = demo.lines.join('\n');
    expect(text).toContain(`mcp endpoint: ${demo.url}/mcp`);
    expect(text).toContain(`assistant token: ${ASSISTANT}`);
    expect(text).toContain(`operator token:  ${OPERATOR}`);
    expect(text).not.toContain('generated for this run');
    expect(text).toContain(`"url": "${demo.url}/mcp"`);
    expect(text).toContain(`"Authorization": "Bearer ${ASSISTANT}"`);
    expect(text).toContain(`"${join(dataDir, 'vigil.yaml')}"`);
    expect(existsSync(join(dataDir, 'vigil.yaml'))).toBe(true);
  });

  it('serves the dashboard and health check', async () => {
    expect((await fetch(`${demo.url}/healthz`)).status).toBe(200);
    const page = await fetch(`${demo.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>vigil</title>');
  });

  it('answers tools/list over MCP and its tools reach the lab', async () => {
    const client = new Client({ name: 'demo-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${demo.url}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${ASSISTANT}` } },
      }),
    );
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(
        expect.arrayContaining(['get_cluster_status', 'list_guests', 'get_incidents', 'set_kill_switch']),
      );
      const status = await client.callTool({ name: 'get_cluster_status', arguments: {} });
      expect(status.isError).toBeFalsy();
      expect(JSON.stringify(status.content)).toContain('pve1');
    } finally {
      await client.close();
    }
  });

  it('runs the monitor: within a minute chaos produces an incident that is remediated, visible on /events', async () => {
    const status = await fetch(`${demo.url}/api/monitor/status`, { headers: { authorization: `Bearer ${OPERATOR}` } });
    expect(((await status.json()) as { data: { monitor: { running: boolean } } }).data.monitor.running).toBe(true);
    const stream = streamClient(demo.url, { token: OPERATOR, since: 0 });
    try {
      await stream.ready;
      const strike = await demo.waitLine((l) => l.startsWith('chaos: ') && !l.startsWith('chaos: one fault'));
      expect(strike).toMatch(/^chaos: (crashed guest|failed|filled the disk|took node)/);
      const fixed = await stream.waitFor((e) => e.type === 'remediation.succeeded', 60_000);
      // The same key may have opened and resolved before (a fault that healed itself): pair by order.
      const resolved = await stream.waitFor(
        (e) => e.type === 'incident.resolved' && e.incidentKey === fixed.incidentKey && e.id > fixed.id,
        10_000,
      );
      const opened = stream.events.filter(
        (e) => e.type === 'incident.opened' && e.incidentKey === fixed.incidentKey && e.id < fixed.id,
      );
      expect(opened.length).toBeGreaterThan(0);
      expect(resolved.id).toBeGreaterThan(opened.at(-1)!.id);
      const ids = stream.ids();
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    } finally {
      stream.close();
    }
  }, 90_000);

  it('streams an operator action on /events', async () => {
    const stream = streamClient(demo.url, { token: OPERATOR });
    try {
      await stream.ready;
      const res = await fetch(`${demo.url}/api/monitor/killswitch`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' },
        body: JSON.stringify({ active: true, reason: 'demo test' }),
      });
      expect(res.status).toBe(200);
      const event = await stream.waitFor((e) => e.type === 'killswitch.changed');
      expect(event.message).toContain('demo test');
    } finally {
      stream.close();
    }
  });

  it('stops cleanly on SIGTERM and keeps the data dir it was given', async () => {
    expect(await demo.stop()).toBe(0);
    expect(existsSync(join(dataDir, 'vigil.db'))).toBe(true);
  });
});
