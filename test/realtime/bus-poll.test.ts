// Pins the asynchronous event bus: concurrent publishes and polls deliver every stored event once and in id order, history before the bus is not news, and the timer's poll logs an outage once and its recovery.
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/db/database.js';
import { createSqlitePorts } from '../../src/db/sqlite-ports.js';
import { createEventStore } from '../../src/db/events.js';
import { createBusPoller, createEventBus } from '../../src/realtime/bus.js';
import type { NewEvent, VigilEvent } from '../../src/contracts/events.js';

const ev = (n: number): NewEvent => ({ type: 'tool.executed', severity: 'info', title: `event ${n}`, message: '' });

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

function tempDb(): { db: Db; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bus-'));
  const file = join(dir, 'vigil.db');
  const db = openDatabase(file);
  cleanup.push(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { db, file };
}

describe('the event bus over the async store ports', () => {
  it('delivers own and foreign events once each, in id order, whatever the interleaving of publishes and polls', async () => {
    const { db, file } = tempDb();
    const before = createEventStore(db);
    before.append(ev(0), 1);
    const bus = createEventBus({ store: createSqlitePorts(db).events, now: () => 2 });
    const seen: VigilEvent[] = [];
    bus.subscribe((e) => seen.push(e));
    await bus.ready();

    // Another process (vigil mcp, the other daemon) writes to the same database.
    const other = openDatabase(file);
    cleanup.push(() => other.close());
    const foreign = createEventStore(other);
    await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        if (i % 3 === 0) foreign.append(ev(i), 3);
        if (i % 3 === 1) await bus.publish(ev(i));
        await bus.poll();
      }),
    );
    await bus.poll();
    const ids = seen.map((e) => e.id);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 2));
    expect(ids.at(-1)).toBe(before.lastId());
    expect(bus.delivered()).toBe(before.lastId());
  });

  it('logs a run of failed timer polls once, then the recovery, and delivers what was stored meanwhile', async () => {
    const { db, file } = tempDb();
    const bus = createEventBus({ store: createSqlitePorts(db).events, now: () => 1 });
    await bus.ready();
    const logged: string[] = [];
    const logger = pino(
      { level: 'info' },
      {
        write: (line: string) => {
          const { level, msg } = JSON.parse(line) as { level: number; msg: string };
          logged.push(`${level >= 50 ? 'error' : 'info'}: ${msg}`);
        },
      },
    );
    const pollOnce = createBusPoller(bus, logger);
    const seen: number[] = [];
    bus.subscribe((e) => seen.push(e.id));

    // The events table disappears under the bus, as a store outage looks to it.
    db.exec('ALTER TABLE events RENAME TO events_away');
    for (let i = 0; i < 5; i += 1) await pollOnce();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^error: polling the event store failed/);

    db.exec('ALTER TABLE events_away RENAME TO events');
    const other = openDatabase(file);
    cleanup.push(() => other.close());
    const stored = createEventStore(other).append(ev(1), 2);
    await pollOnce();
    await pollOnce();
    expect(logged).toEqual([logged[0], 'info: polling the event store works again']);
    expect(seen).toEqual([stored.id]);
  });
});
