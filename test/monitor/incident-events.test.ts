// Pins that an incident's row and its incident.* event commit together: when the event cannot be stored, the opening, resolution or escalation is rolled back, so no reader sees one without the other.
import { describe, expect, it } from 'vitest';
import { createSqlitePorts } from '../../src/db/sqlite-ports.js';
import type { NewIncident } from '../../src/contracts/incidents.js';
import { createEventBus } from '../../src/realtime/bus.js';
import { applyIncidentPlan, resolveIncident, type IncidentLogDeps } from '../../src/monitor/incidents.js';
import { openTracked, tempDbPath } from '../db/helpers.js';

const T = 1_700_000_000_000;
const crash: NewIncident = {
  key: 'guest.crashed:100',
  condition: 'guest.crashed',
  target: '100',
  node: 'pve1',
  severity: 'critical',
  summary: 'VM 100 crashed',
  details: {},
  flapping: false,
};

/** The monitor's incident log over a real database file, plus a second connection as another process would read it. */
async function setup() {
  const file = tempDbPath();
  const db = openTracked(file);
  const stores = createSqlitePorts(db);
  const bus = createEventBus({ store: stores.events, now: () => T });
  const deps: IncidentLogDeps = { store: stores.monitor, bus, now: () => T, notifying: async () => false };
  const reader = createSqlitePorts(openTracked(file));
  /** From now on the events table refuses `type` (a disk error, a constraint, a crash mid-write). */
  const failEvents = (type: string) =>
    db.exec(
      `CREATE TRIGGER refuse BEFORE INSERT ON events WHEN NEW.type = '${type}' BEGIN SELECT RAISE(ABORT, 'injected'); END`,
    );
  return { stores, deps, reader, failEvents };
}

describe('incident rows and their events', () => {
  it('opens an incident and stores incident.opened in the same commit', async () => {
    const { deps, reader } = await setup();
    const { opened } = await applyIncidentPlan({ open: [crash], seen: [], resolve: [], suppressed: [] }, deps);
    expect(opened).toHaveLength(1);
    expect((await reader.monitor.activeIncidents()).map((i) => i.key)).toEqual([crash.key]);
    expect((await reader.events.since(0)).map((e) => [e.type, e.data?.incidentId])).toEqual([
      ['incident.opened', opened[0]!.id],
    ]);
  });

  it('leaves no incident behind when its incident.opened event cannot be stored', async () => {
    const { deps, reader, failEvents } = await setup();
    failEvents('incident.opened');
    await expect(applyIncidentPlan({ open: [crash], seen: [], resolve: [], suppressed: [] }, deps)).rejects.toThrow(
      /injected/,
    );
    expect(await reader.monitor.activeIncidents()).toEqual([]);
    expect(await reader.monitor.listIncidents({ limit: 10 })).toEqual([]);
    expect(await reader.events.since(0)).toEqual([]);
  });

  it('keeps the incident active when its incident.resolved event cannot be stored', async () => {
    const { deps, reader, failEvents } = await setup();
    const [incident] = (await applyIncidentPlan({ open: [crash], seen: [], resolve: [], suppressed: [] }, deps)).opened;
    failEvents('incident.resolved');
    await expect(resolveIncident(incident!, 'seen healthy again', deps)).rejects.toThrow(/injected/);
    expect(await reader.monitor.incident(incident!.id)).toMatchObject({ status: 'open', resolvedAt: null });
    expect((await reader.events.since(0)).map((e) => e.type)).toEqual(['incident.opened']);
  });

  it('tells a resolution once: a second resolve writes no event', async () => {
    const { deps, reader } = await setup();
    const [incident] = (await applyIncidentPlan({ open: [crash], seen: [], resolve: [], suppressed: [] }, deps)).opened;
    await resolveIncident(incident!, 'seen healthy again', deps);
    const again = await resolveIncident(incident!, 'verified by its runbook', deps);
    expect(again).toMatchObject({ status: 'resolved', resolvedAt: T });
    expect((await reader.events.since(0)).map((e) => e.type)).toEqual(['incident.opened', 'incident.resolved']);
  });
});
