// Pins what a restarted monitor (or a daemon taking over the leadership) believes about a guest already judged down: it stays the one guest.down incident, never a second, guest.crashed, incident that would start the guest again while the first start task still runs.
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startMonitorLab, type MonitorLab } from './harness.js';

let t: MonitorLab | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('a monitor started while a guest.down remediation runs', () => {
  it('keeps the guest.down incident and starts the guest once', async () => {
    // A start task that runs for 2 s: the second monitor looks while it is still running.
    t = await startMonitorLab({ lab: { taskMs: 2000 } });
    const m = t;
    m.lab.state.crashGuest(100); // onboot, no task: down before vigil looked
    const first = await m.monitor.runCycle('critical');
    expect(first.opened.map((i) => i.key)).toEqual(['guest.down:100']);
    await eventually(
      () => m.lab.state.tasks.list().some((task) => task.type === 'qmstart' && task.id === '100'),
      10_000,
      'the start task',
    );

    const second = m.restart();
    const report = await second.runCycle('critical');
    expect(report.opened).toEqual([]);
    await report.settled;
    await first.settled;
    expect((await m.monitor.store.listIncidents({ limit: 10 })).map((i) => i.key)).toEqual(['guest.down:100']);
    expect(m.lab.state.tasks.list().filter((task) => task.type === 'qmstart' && task.id === '100')).toHaveLength(1);
  });
});
