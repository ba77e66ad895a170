// Pins recovery from a daemon killed (SIGKILL) mid-remediation: after a restart no action is repeated, the orphaned lease is taken over, and the records say what happened.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startMonitorLab, type MonitorLab } from '../monitor/harness.js';

let t: MonitorLab | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await t?.close();
  t = undefined;
});

function serve(configFile: string): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli.ts', 'serve', '--config', configFile, '--port', '0'],
    {
      cwd: join(import.meta.dirname, '..', '..'),
      stdio: ['ignore', 'ignore', process.env.DEBUG_SERVE ? 'inherit' : 'pipe'],
    },
  );
  child.stderr?.resume();
  children.push(child);
  return child;
}

describe('SIGKILL mid-remediation', () => {
  it('does not start the guest twice, recovers the lease and records the interruption', async () => {
    // A start task that runs for 3 s gives time to kill the daemon while it waits for it.
    t = await startMonitorLab({ lab: { taskMs: 3000 }, monitorYaml: '  guardrails: { leaseSeconds: 600 }' });
    const m = t;
    const configFile = join(m.dir, 'vigil.yaml');
    const store = m.monitor.store;
    const first = serve(configFile);
    await eventually(
      async () => (await store.runs()).some((r) => r.kind === 'critical'),
      20_000,
      'the first critical cycle',
    );
    const seenAt = (await store.runs()).find((r) => r.kind === 'critical')!.startedAt;
    await eventually(
      async () => (await store.runs()).some((r) => r.kind === 'critical' && r.startedAt > seenAt),
      10_000,
      'a second critical cycle',
    );

    m.lab.state.crashGuest(100);
    // Killed once the start request has reached Proxmox (its task runs), while vigil waits for it.
    await eventually(
      () => m.lab.state.tasks.list('pve1').some((task) => task.type === 'qmstart' && task.id === '100'),
      10_000,
      'the start task',
    );
    expect(await store.runningActions()).toHaveLength(1);
    expect(await store.leases()).toHaveLength(1);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    const leaseBefore = (await store.leases())[0]!;
    expect(leaseBefore.pid).toBe(first.pid);
    serve(configFile);
    await eventually(
      async () =>
        (await store.listIncidents({ limit: 5 })).some((i) => i.key === 'guest.crashed:100' && i.status === 'resolved'),
      30_000,
      'the incident to resolve',
    );

    const starts = m.lab.state.tasks.list('pve1').filter((task) => task.type === 'qmstart' && task.id === '100');
    expect(starts).toHaveLength(1);
    const actions = await store.recentActions({ incidentKey: 'guest.crashed:100', limit: 10 });
    expect(actions.map((a) => [a.tool, a.result])).toEqual([['start_guest', 'interrupted']]);
    expect(actions[0]!.detail).toMatch(/ended during this action/);
    expect(m.lab.state.getGuest(100)?.status).toBe('running');
    // The dead process's lease is gone (taken over or released), never left blocking the node.
    expect((await store.leases()).filter((l) => l.pid === first.pid)).toEqual([]);
    // The restarted process stores the incident first and publishes its event right after: wait for it.
    const published = async (type: string, match: (e: { title: string; incidentKey?: string }) => boolean) =>
      (await m.core.stores.events.latest(500)).some((e) => e.type === type && match(e));
    await eventually(
      () => published('remediation.failed', (e) => /interrupted/.test(e.title)),
      10_000,
      'the interruption event',
    );
    await eventually(
      () => published('incident.resolved', (e) => e.incidentKey === 'guest.crashed:100'),
      10_000,
      'the resolution event',
    );
  }, 90_000);
});
