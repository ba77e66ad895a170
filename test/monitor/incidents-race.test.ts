// Pins that an incident another process opened a moment earlier (same key, shared database) is not opened again: no throw, no second notice, and the rest of the cycle's plan still applies.
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { createMonitorStore } from '../../src/db/monitor.js';
import type { NewIncident } from '../../src/contracts/incidents.js';
import { createSqlitePorts } from '../../src/db/sqlite-ports.js';
import { createEventBus } from '../../src/realtime/bus.js';
import { applyIncidentPlan } from '../../src/monitor/incidents.js';
import type { NotificationRequest } from '../../src/monitor/ports.js';
import { openTracked, tempDbPath } from '../db/helpers.js';

const T = 1_700_000_000_000;
const crash = (vmid: number): NewIncident => ({
  key: `guest.crashed:${vmid}`,
  condition: 'guest.crashed',
  target: String(vmid),
  node: 'pve1',
  severity: 'critical',
  summary: `VM ${vmid} crashed`,
  details: {},
  flapping: false,
});

let db: Db | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
});

describe('applyIncidentPlan across processes', () => {
  it('skips an opening another process made first and applies the rest', async () => {
    const file = tempDbPath();
    db = openTracked(file);
    const other = openTracked(file);
    createMonitorStore(other).openIncident(crash(100), T); // the other process, after this one read the active list
    other.close();

    const ports = createSqlitePorts(db);
    const store = ports.monitor;
    const bus = createEventBus({ store: ports.events, now: () => T });
    const sent: NotificationRequest[] = [];
    const r = await applyIncidentPlan(
      { open: [crash(100), crash(101)], seen: [], resolve: [], suppressed: [] },
      { store, bus, notifier: { enqueue: (n) => sent.push(n) }, now: () => T, notifying: async () => true },
    );

    expect(r.opened.map((i) => i.key)).toEqual(['guest.crashed:101']);
    expect((await store.activeIncidents()).map((i) => i.key)).toEqual(['guest.crashed:100', 'guest.crashed:101']);
    expect(sent.map((n) => n.incidentKey)).toEqual(['guest.crashed:101']);
  });
});
