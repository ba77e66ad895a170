// Pins that a remediation's incident resolved meanwhile by detection is neither resolved twice (one recovery notice) nor reopened.
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startMonitorLab, type MonitorLab } from './harness.js';
import type { Sleep } from '../../src/monitor/ports.js';

let t: MonitorLab | undefined;
afterEach(async () => {
  gate?.();
  await t?.close();
  t = undefined;
});

let gate: (() => void) | undefined;
/** A sleep that holds the first verification wait until the test releases it. */
function gatedSleep(): { sleep: Sleep; waiting: () => boolean } {
  let held = false;
  gate = undefined;
  const sleep: Sleep = (ms) => {
    if (held) return new Promise((r) => setTimeout(r, Math.min(ms, 20)));
    held = true;
    return new Promise<void>((r) => (gate = r));
  };
  return { sleep, waiting: () => gate !== undefined };
}

describe('detection resolves an incident while its remediation verifies', () => {
  it('sends one recovery notice and leaves the incident resolved when verification then succeeds', async () => {
    const g = gatedSleep();
    t = await startMonitorLab({ deps: { sleep: g.sleep } });
    await t.cycle('critical');
    t.lab.state.crashGuest(100);
    const first = await t.monitor.runCycle('critical');
    await eventually(g.waiting, 10_000, 'the remediation to wait for verification');
    await t.cycle('critical'); // sees the guest running again: resolves the incident
    gate!();
    await first.settled;
    const list = await t.monitor.store.listIncidents({ limit: 10 });
    expect(list.map((i) => i.status)).toEqual(['resolved']);
    expect(t.sent.filter((n) => n.kind === 'recovery')).toHaveLength(1);
    expect((await t.core.stores.events.latest(100)).filter((e) => e.type === 'incident.resolved')).toHaveLength(1);
  });

  it('does not reopen the resolved incident when verification then fails', async () => {
    const g = gatedSleep();
    t = await startMonitorLab({ deps: { sleep: g.sleep } });
    await t.cycle('critical');
    t.lab.state.crashGuest(100);
    const first = await t.monitor.runCycle('critical');
    await eventually(g.waiting, 10_000, 'the remediation to wait for verification');
    await t.cycle('critical');
    expect((await t.monitor.store.listIncidents({ limit: 10 })).map((i) => i.status)).toEqual(['resolved']);
    t.lab.state.crashGuest(100); // down again before verification looks: verification fails
    gate!();
    await first.settled;
    expect((await t.monitor.store.listIncidents({ limit: 10 })).map((i) => i.status)).toEqual(['resolved']);
  });
});
