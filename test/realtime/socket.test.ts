// Pins the /events stream: token refusal before any event, id order, exact `since` replay, recovery, and cross-process delivery.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startTestVigil, type TestVigil } from '../helpers/vigil.js';
import { openDatabase } from '../../src/db/database.js';
import { createEventStore } from '../../src/db/events.js';
import { SOCKET_REFUSALS } from '../../src/realtime/socket-protocol.js';
import type { NewEvent } from '../../src/contracts/events.js';
import { streamClient, type StreamClient } from './stream-client.js';

const ev = (n: number): NewEvent => ({ type: 'tool.executed', severity: 'info', title: `event ${n}`, message: '' });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

let vigil: TestVigil;
const clients: StreamClient[] = [];
const open = (...args: Parameters<typeof streamClient>) => {
  const c = streamClient(...args);
  clients.push(c);
  return c;
};

beforeEach(async () => {
  vigil = await startTestVigil();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await vigil.close();
});

describe('/events authentication', () => {
  it('refuses a missing, wrong or malformed token before sending anything', async () => {
    const attempts = [{}, { token: 'not-a-token-at-all' }, { token: 42 }, { token: vigil.assistantToken, since: -1 }];
    const refused = attempts.map((auth) => open(vigil.url, auth));
    await vigil.core.bus.publish(ev(1));
    const messages = await Promise.all(
      refused.map((c) =>
        c.ready.then(
          () => 'connected',
          (err: Error & { data?: { code?: string } }) => `${err.data?.code}: ${err.message}`,
        ),
      ),
    );
    expect(messages).toEqual([
      `unauthorized: ${SOCKET_REFUSALS.badAuth}`,
      `unauthorized: ${SOCKET_REFUSALS.badAuth}`,
      `unauthorized: ${SOCKET_REFUSALS.badAuth}`,
      `invalid_handshake: ${SOCKET_REFUSALS.badSince}`,
    ]);
    for (const c of refused) expect(c.events).toEqual([]);
  });

  it('accepts the assistant and the operator token', async () => {
    const a = open(vigil.url, { token: vigil.assistantToken });
    const o = open(vigil.url, { token: vigil.operatorToken });
    await Promise.all([a.ready, o.ready]);
    const published = await vigil.core.bus.publish(ev(1));
    await a.waitFor((e) => e.id === published.id);
    await o.waitFor((e) => e.id === published.id);
  });

  it('refuses a browser Origin that is not the daemon itself', async () => {
    const res = await fetch(`${vigil.url}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: 'http://evil.example' },
    });
    expect(res.status).toBe(403);
    const same = await fetch(`${vigil.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: vigil.url } });
    expect(same.status).toBe(200);
  });
});

describe('/events delivery', () => {
  it('delivers live events in id order, each once', async () => {
    const c = open(vigil.url, { token: vigil.operatorToken });
    const ready = await c.ready;
    const published: number[] = [];
    for (const n of range(1, 60)) published.push((await vigil.core.bus.publish(ev(n))).id);
    await c.waitFor((e) => e.id === published.at(-1));
    expect(ready.replayed).toBe(0);
    expect(c.ids()).toEqual(published);
  });

  it('replays exactly the missed events to a client that comes back with since, then continues live', async () => {
    const first = open(vigil.url, { token: vigil.operatorToken });
    await first.ready;
    const seen: number[] = [];
    for (const n of range(1, 5)) seen.push((await vigil.core.bus.publish(ev(n))).id);
    await first.waitFor((e) => e.id === seen.at(-1));
    first.close();
    const missed: number[] = [];
    for (const n of range(6, 12)) missed.push((await vigil.core.bus.publish(ev(n))).id);

    const back = open(vigil.url, { token: vigil.operatorToken, since: seen.at(-1) });
    const ready = await back.ready;
    expect(ready).toMatchObject({ replayed: missed.length, lastId: missed.at(-1), truncated: false, recovered: false });
    const live = (await vigil.core.bus.publish(ev(13))).id;
    await back.waitFor((e) => e.id === live);
    expect(back.ids()).toEqual([...missed, live]);
  });

  it('answers a since message with the backlog as events and an ack', async () => {
    const c = open(vigil.url, { token: vigil.operatorToken });
    await c.ready;
    const ids: number[] = [];
    for (const n of range(1, 4)) ids.push((await vigil.core.bus.publish(ev(n))).id);
    await c.waitFor((e) => e.id === ids.at(-1));
    const ack = await c.socket.timeout(5000).emitWithAck('since', { since: ids[1] });
    expect(ack).toMatchObject({ replayed: 2, lastId: ids.at(-1) });
    expect(c.ids()).toEqual([...ids, ids[2], ids[3]]);
    expect(await c.socket.timeout(5000).emitWithAck('since', { since: 'x' })).toEqual({
      error: expect.stringMatching(/^since:/),
    });
  });

  it('bounds the replays one connection may ask for with since messages', async () => {
    const c = open(vigil.url, { token: vigil.operatorToken });
    await c.ready;
    const first = (await vigil.core.bus.publish(ev(1))).id;
    for (let n = 2; n <= 3000; n++) await vigil.core.bus.publish(ev(n));
    const acks: unknown[] = [];
    for (let i = 0; i < 3; i++) acks.push(await c.socket.timeout(10_000).emitWithAck('since', { since: first - 1 }));
    expect(acks[0]).toMatchObject({ replayed: 3000 });
    expect(acks[1]).toEqual({
      error: expect.stringMatching(/^since: replay budget of 5000 events per minute used up/),
    });
    expect(acks[2]).toEqual({ error: expect.stringMatching(/^since: replay budget/) });
  });

  it('has no gaps or duplicates while another process writes and clients join at arbitrary points', async () => {
    // A second connection to the same file is what `vigil mcp` is: its rows reach us only through the poll.
    const db = openDatabase(join(vigil.dir, 'vigil.db'));
    const foreign = createEventStore(db);
    try {
      const joined: Array<{ client: StreamClient; since: number }> = [];
      for (let round = 0; round < 12; round++) {
        for (let k = 0; k < 5; k++) {
          if ((round + k) % 2 === 0) foreign.append(ev(round * 10 + k), Date.now());
          else await vigil.core.bus.publish(ev(round * 10 + k));
        }
        const since = Math.max(0, foreign.lastId() - (round % 4) * 3);
        joined.push({ client: open(vigil.url, { token: vigil.assistantToken, since }), since });
        await new Promise((r) => setTimeout(r, 20));
      }
      const last = (await vigil.core.bus.publish(ev(999))).id;
      for (const { client, since } of joined) {
        await client.waitFor((e) => e.id === last);
        expect(client.ids()).toEqual(range(since + 1, last));
      }
    } finally {
      db.close();
    }
  });

  it('recovers a dropped connection with the packets it missed (connection state recovery)', async () => {
    const c = open(vigil.url, { token: vigil.operatorToken }, { reconnection: true });
    await c.ready;
    const before = (await vigil.core.bus.publish(ev(1))).id;
    await c.waitFor((e) => e.id === before);
    const reconnected = new Promise<void>((resolve) => c.socket.io.once('reconnect', () => resolve()));
    c.socket.io.engine.close();
    const during = (await vigil.core.bus.publish(ev(2))).id;
    await reconnected;
    await c.waitFor((e) => e.id === during);
    expect(c.socket.recovered).toBe(true);
    expect(c.ids()).toEqual([before, during]);
  });
});

describe('/events across processes', () => {
  it('shows an action taken through `vigil mcp` (stdio) on the stream', async () => {
    const c = open(vigil.url, { token: vigil.operatorToken });
    await c.ready;
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', 'src/cli.ts', 'mcp', '--config', vigil.configFile],
      cwd: join(import.meta.dirname, '..', '..'),
      stderr: 'pipe',
    });
    const client = new Client({ name: 'stdio-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const result = await client.callTool({
        name: 'set_kill_switch',
        arguments: { active: true, reason: 'from stdio' },
      });
      expect(result.isError).toBeFalsy();
      const event = await c.waitFor((e) => e.type === 'killswitch.changed');
      expect(event.message).toContain('from stdio');
      expect(event.data).toMatchObject({ active: true, by: 'assistant:stdio-test' });
    } finally {
      await client.close();
    }
  });
});
