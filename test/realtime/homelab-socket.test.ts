// Pins the `homelab` message on /events: sent after each monitor cycle and to a client as it connects, matching the shared schema, never stored as an event nor replayed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { startMonitorLab, type MonitorLab } from '../monitor/harness.js';
import { startHttp, type HttpApp } from '../../src/api/app.js';
import { createHomelabFeed } from '../../src/monitor/homelab.js';
import { SOCKET_MESSAGES, homelabSnapshotSchema, type HomelabSnapshot } from '../../src/realtime/socket-protocol.js';

let t: MonitorLab;
let http: HttpApp;
const sockets: Socket[] = [];

/** A client that collects the `homelab` messages it gets, parsed with the shared schema. */
function client(token: string) {
  const socket = io(`${http.url}/events`, {
    auth: { token },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  sockets.push(socket);
  const got: HomelabSnapshot[] = [];
  socket.on(SOCKET_MESSAGES.homelab, (payload: unknown) => got.push(homelabSnapshotSchema.parse(payload)));
  const ready = new Promise<void>((resolve) => socket.once('ready', () => resolve()));
  return { got, ready };
}

async function until(check: () => boolean) {
  for (let i = 0; i < 500 && !check(); i += 1) await new Promise((r) => setTimeout(r, 20));
  expect(check()).toBe(true);
}

beforeAll(async () => {
  t = await startMonitorLab({ lab: { nodes: 2, guests: 2 } });
  const feed = createHomelabFeed({ thresholds: t.core.config.monitor.thresholds });
  t.restart({ observed: (o) => feed.observe(o) });
  http = await startHttp(t.core, '127.0.0.1', 0, { homelab: feed });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await http?.close();
  await t?.close();
});

describe('homelab messages', () => {
  it('are sent after each cycle, and the newest to a client as it connects', async () => {
    const first = client(t.core.config.auth.assistantToken);
    await first.ready;
    expect(first.got).toEqual([]); // nothing observed yet: nothing to send
    await t.cycle('critical');
    await until(() => first.got.length === 1);
    expect(first.got[0]!.nodes.map((n) => n.name)).toEqual(['pve1', 'pve2']);
    expect(first.got[0]!.routineAt).toBeNull();
    await t.cycle('routine');
    await until(() => first.got.length === 2);
    expect(first.got[1]!.nodes[0]!.services).toEqual({ 'nginx.service': 'active' });

    const late = client(t.core.config.auth.operatorToken);
    await late.ready;
    await until(() => late.got.length === 1);
    expect(late.got[0]).toEqual(first.got[1]);
  });

  it('are not events: nothing is stored, so nothing is replayed', async () => {
    const types = (await t.core.stores.events.latest(1000)).map((e) => e.type as string);
    expect(types).not.toContain('homelab');
  });
});
