// Pins /events across two daemons on one PostgreSQL: a client of either daemon sees both daemons' events, each once and in id order, and `since` replays the shared table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { openPgStores } from '../../src/db/pg/stores.js';
import type { StorePorts } from '../../src/db/ports.js';
import { createEventBus, type EventBus } from '../../src/realtime/bus.js';
import { lazyEventStream, type LazyEventStream } from '../../src/realtime/socket-lazy.js';
import type { NewEvent } from '../../src/contracts/events.js';
import { POSTGRES, startPostgres, type RunningPostgres } from '../helpers/postgres.js';
import { streamClient, type StreamClient } from './stream-client.js';

const TOKEN = 'cross-daemon-operator-token';
const ev = (daemon: string, n: number): NewEvent => ({
  type: 'tool.executed',
  severity: 'info',
  title: `${daemon} ${n}`,
  message: '',
});

interface Daemon {
  name: string;
  stores: StorePorts;
  bus: EventBus;
  events: LazyEventStream;
  server: Server;
  url: string;
}

/** One daemon's realtime half over the shared database: its bus, its /events stream, its own HTTP server. */
async function startDaemon(name: string, dbUrl: string): Promise<Daemon> {
  const stores = await openPgStores(dbUrl, { maxConnections: 4 });
  const bus = createEventBus({ store: stores.events, now: Date.now });
  await bus.ready();
  const events = lazyEventStream({
    bus,
    events: stores.events,
    authenticate: (token) => (token === TOKEN ? 'operator' : undefined),
    logger: pino({ level: 'silent' }),
    pollMs: 100,
  });
  const server = createServer((req, res) => {
    if (events.owns(req.url ?? '')) return events.handleRequest(req, res);
    res.statusCode = 404;
    res.end();
  });
  server.on('upgrade', (req, socket, head: Buffer) => {
    if (events.owns(req.url ?? '')) events.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { name, stores, bus, events, server, url: `http://127.0.0.1:${port}` };
}

/** Ids must be strictly increasing and each present once. */
function inOrderOnce(ids: number[]): boolean {
  return ids.every((id, i) => i === 0 || id > ids[i - 1]!);
}

describe.skipIf(!POSTGRES)('/events with two daemons on one PostgreSQL', () => {
  let server: RunningPostgres;
  let a: Daemon;
  let b: Daemon;
  const clients: StreamClient[] = [];
  const open = (url: string, auth: Record<string, unknown>) => {
    const c = streamClient(url, auth);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startPostgres(POSTGRES!);
    const url = await server.createDatabase('cross_daemon_events');
    a = await startDaemon('a', url);
    b = await startDaemon('b', url);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const d of [a, b]) {
      if (!d) continue;
      d.events.close();
      await new Promise((resolve) => d.server.close(resolve));
      await d.stores.close();
    }
    await server?.stop();
  });

  it("delivers both daemons' events to a client of either, each once and in id order", async () => {
    const onA = open(a.url, { token: TOKEN, since: 0 });
    const onB = open(b.url, { token: TOKEN, since: 0 });
    await Promise.all([onA.ready, onB.ready]);

    // Both daemons publish at once, so their appends interleave in the shared table.
    const published = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).bus.publish(ev(i % 2 === 0 ? 'a' : 'b', i))),
    );
    const ids = published.map((e) => e.id).sort((x, y) => x - y);
    expect(ids).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));

    for (const c of [onA, onB]) {
      await c.waitFor((e) => e.id === 40, 20_000);
      expect(c.ids()).toEqual(ids);
      expect(new Set(c.events.map((e) => e.title.split(' ')[0]))).toEqual(new Set(['a', 'b']));
    }
  });

  it('replays the shared table from `since` on the other daemon, then continues live without a gap', async () => {
    const late = open(b.url, { token: TOKEN, since: 10 });
    // Events keep arriving from both daemons while the replay runs.
    const during = Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? b : a).bus.publish(ev(i % 2 === 0 ? 'b' : 'a', 100 + i))),
    );
    const ready = await late.ready;
    await during;
    const last = (await a.stores.events.lastId()) as number;
    expect(last).toBe(60);
    await late.waitFor((e) => e.id === last, 20_000);
    expect(late.ids()).toEqual(Array.from({ length: last - 10 }, (_, i) => i + 11));
    expect(ready.replayed).toBeGreaterThanOrEqual(30);
    expect(inOrderOnce(late.ids())).toBe(true);
  });

  it('answers a `since` message with the replay of events written by the other daemon', async () => {
    const c = open(a.url, { token: TOKEN });
    await c.ready;
    const written = await b.bus.publish(ev('b', 999));
    await c.waitFor((e) => e.id === written.id, 20_000);
    const answer = (await c.socket.timeout(20_000).emitWithAck('since', { since: written.id - 3 })) as {
      replayed: number;
    };
    expect(answer.replayed).toBe(3);
    expect(c.ids().slice(-3)).toEqual([written.id - 2, written.id - 1, written.id]);
  });
});
