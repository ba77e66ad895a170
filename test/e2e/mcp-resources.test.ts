// Pins live resources against the lab: SDK clients over Streamable HTTP (in the monitor's process) and over stdio (`vigil mcp`, another process on the same database) subscribe, a guest crashes, both get update notifications and read the incident and the cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { eventually, startMonitorLab, type MonitorLab } from '../monitor/harness.js';
import { startHttp, type HttpApp } from '../../src/api/app.js';
import { createHomelabFeed } from '../../src/monitor/homelab.js';
import { touchesCluster } from '../../src/mcp/resource-records.js';

const ROOT = join(import.meta.dirname, '..', '..');

interface Watched {
  client: Client;
  updated: string[];
  listChanged: number;
}

let t: MonitorLab;
let http: HttpApp;
let viaHttp: Watched;
let viaStdio: Watched;

function watch(client: Client): Watched {
  const w: Watched = { client, updated: [], listChanged: 0 };
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void w.updated.push(n.params.uri));
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void w.listChanged++);
  return w;
}

beforeAll(async () => {
  // As the daemon: the monitor hands each cycle's readings to the feed the HTTP server serves from.
  const feed = createHomelabFeed({ thresholds: { diskPercent: 90, memoryPercent: 95 } });
  t = await startMonitorLab({ deps: { observed: feed.observe } });
  await t.cycle('critical'); // first look: everything running
  http = await startHttp(t.core, '127.0.0.1', 0, { homelab: feed });
  const httpClient = new Client({ name: 'e2e-http', version: '1' });
  await httpClient.connect(
    new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${t.core.config.auth.assistantToken}` } },
    }),
  );
  viaHttp = watch(httpClient);
  const stdioClient = new Client({ name: 'e2e-stdio', version: '1' });
  await stdioClient.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', 'src/cli.ts', 'mcp', '--config', join(t.dir, 'vigil.yaml')],
      cwd: ROOT,
      stderr: 'ignore',
    }),
  );
  viaStdio = watch(stdioClient);
}, 60_000);

afterAll(async () => {
  await viaHttp?.client.close();
  await viaStdio?.client.close();
  await http?.close();
  await t?.close();
});

const jsonOf = (r: { contents: unknown[] }) => JSON.parse((r.contents[0] as { text: string }).text);

describe('resource notifications from the lab', () => {
  it('tells HTTP and stdio subscribers about a crashed guest, and both read it', async () => {
    for (const w of [viaHttp, viaStdio]) {
      await w.client.subscribeResource({ uri: 'vigil://incidents' });
      await w.client.subscribeResource({ uri: 'vigil://cluster' });
    }
    t.lab.state.crashGuest(100);
    await t.cycle('critical');
    const incident = (await t.core.stores.monitor.listIncidents({ limit: 5 })).find(
      (i) => i.key === 'guest.crashed:100',
    )!;
    expect(incident).toBeDefined();

    for (const w of [viaHttp, viaStdio]) {
      await eventually(
        () => w.updated.includes('vigil://incidents') && w.updated.includes('vigil://cluster') && w.listChanged > 0,
        15_000,
        `${w.client.getServerVersion()?.name} notifications`,
      );
      const read = jsonOf(await w.client.readResource({ uri: `vigil://incidents/${incident.id}` }));
      expect(read).toMatchObject({ id: incident.id, key: 'guest.crashed:100', condition: 'guest.crashed' });
    }

    // The cluster snapshot is a get_cluster_status read, audited under the reading client.
    const cluster = jsonOf(await viaStdio.client.readResource({ uri: 'vigil://cluster' }));
    expect(cluster.nodes.map((n: { node: string }) => n.node)).toEqual(
      t.lab
        .nodesInfo()
        .map((n) => n.name)
        .sort(),
    );
    expect(cluster.guests.total).toBeGreaterThan(0);
    const [row] = await t.core.stores.audit.list({ limit: 1, tool: 'get_cluster_status' });
    expect(row).toMatchObject({ callerKind: 'assistant', callerId: 'e2e-stdio', decision: 'allowed', outcome: 'ok' });
  });

  it('serves the prompts over stdio too, with the node checked against the config', async () => {
    expect(viaStdio.client.getServerCapabilities()).toMatchObject({
      resources: { subscribe: true, listChanged: true },
      prompts: {},
    });
    const { prompts } = await viaStdio.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['triage_node', 'explain_incident', 'weekly_report']);
    const node = t.lab.nodesInfo()[0]!.name;
    const { messages } = await viaStdio.client.getPrompt({ name: 'triage_node', arguments: { node } });
    expect(JSON.stringify(messages)).toContain('get_node_status');
    await expect(viaStdio.client.getPrompt({ name: 'triage_node', arguments: { node: 'nope' } })).rejects.toMatchObject(
      {
        code: -32602,
        message: expect.stringMatching(/^MCP error -32602: node: "nope" is not a configured node; expected one of /),
      },
    );
  });

  it('tells an HTTP cluster subscriber when the monitor sees a guest stopped on purpose, which opens no incident', async () => {
    await t.cycle('critical'); // the restarted guest of the first test is seen running again
    viaHttp.updated.length = 0;
    const events = await t.core.stores.events.lastId();
    t.lab.state.operatorStop(102);
    await eventually(() => t.lab.state.getGuest(102)?.status === 'stopped', 10_000, 'guest 102 stopped');
    await t.cycle('critical');
    await eventually(() => viaHttp.updated.includes('vigil://cluster'), 10_000, 'cluster update');
    // No event that would make the cluster due: the notification came from the monitor's observation.
    expect((await t.core.stores.events.since(events, 50)).filter(touchesCluster)).toEqual([]);
    const cluster = jsonOf(await viaHttp.client.readResource({ uri: 'vigil://cluster' }));
    expect(cluster.problems.join('\n')).toMatch(/102.*is stopped/);
  });
});
