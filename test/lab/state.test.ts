// Pins the lab world model: deterministic generation, power/WoL, crash vs operator stop, locks, services, disk cleanup, events.
import { afterEach, describe, expect, it } from 'vitest';
import { createLabState, RUNAWAY_LOG, type LabEvent, type LabState } from '../../src/lab/state.js';

let clock = 1_700_000_000_000;
const now = () => clock;
let state: LabState;
const make = (o: Parameters<typeof createLabState>[0] = {}) =>
  (state = createLabState({ now, taskMs: 100, bootMs: 1500, ...o }));
afterEach(() => state?.close());

describe('lab state', () => {
  it('builds the same world from the same seed: pve1..pveN, vmids from 100, both guest types, one HA guest, distinct MACs', () => {
    const a = make({ nodes: 3, guestsPerNode: 4, seed: 7 });
    const b = createLabState({ now, nodes: 3, guestsPerNode: 4, seed: 7 });
    expect(JSON.stringify(a.snapshot())).toBe(JSON.stringify(b.snapshot()));
    b.close();
    expect(a.listNodes().map((n) => n.name)).toEqual(['pve1', 'pve2', 'pve3']);
    expect(a.listGuests().map((g) => g.vmid)).toEqual([...Array(12).keys()].map((i) => 100 + i));
    expect(new Set(a.listGuests().map((g) => g.type))).toEqual(new Set(['qemu', 'lxc']));
    expect(a.listGuests().filter((g) => g.ha.managed)).toHaveLength(1);
    const macs = a.listNodes().map((n) => n.mac);
    expect(new Set(macs).size).toBe(3);
    for (const m of macs) expect(m).toMatch(/^02:00:00:00:00:[0-9a-f]{2}$/);
  });

  it('a powered-off node boots on its MAC after bootMs, and only then', () => {
    const s = make();
    s.setNodeOnline('pve2', false);
    expect(s.getNode('pve2')!.online).toBe(false);
    expect(s.wakeByMac('02:00:00:00:00:99')).toBe(false);
    expect(s.wakeByMac('02:00:00:00:00:02')).toBe(true);
    expect(s.wakeByMac('02:00:00:00:00:02')).toBe(false);
    clock += 1499;
    expect(s.getNode('pve2')!.online).toBe(false);
    clock += 1;
    expect(s.getNode('pve2')!.online).toBe(true);
    expect(s.wakeByMac('02:00:00:00:00:01')).toBe(false);
  });

  it('guests of a node that comes back keep their state (all lab guests have onboot=1)', () => {
    const s = make();
    s.crashGuest(100);
    s.setNodeOnline('pve1', false);
    s.setNodeOnline('pve1', true);
    expect(s.getGuest(100)!.status).toBe('stopped');
    expect(s.getGuest(101)!.status).toBe('running');
  });

  it('a crash logs no task; an operator stop logs a qmstop/vzstop task by root@pam', () => {
    const s = make();
    s.crashGuest(100);
    expect(s.getGuest(100)!.status).toBe('stopped');
    expect(s.tasks.list()).toHaveLength(0);
    const t = s.operatorStop(101);
    expect(s.getGuest(101)!.status).toBe('stopped');
    expect(t).toMatchObject({ type: 'vzstop', id: '101', user: 'root@pam', status: 'stopped', exitstatus: 'OK' });
  });

  it('the HA manager restarts a crashed HA-managed guest with a start task', () => {
    const s = make();
    const ha = s.listGuests().find((g) => g.ha.managed)!;
    s.crashGuest(ha.vmid);
    expect(s.getGuest(ha.vmid)!.status).toBe('stopped');
    clock += s.haDelayMs;
    expect(s.getGuest(ha.vmid)!.status).toBe('running');
    expect(s.tasks.list().map((t) => t.type)).toEqual([ha.type === 'qemu' ? 'qmstart' : 'vzstart']);
  });

  it('locks, services and events', () => {
    const s = make();
    const events: LabEvent[] = [];
    const off = s.onChange((e) => events.push(e));
    s.lockGuest(100, 'backup');
    expect(s.getGuest(100)!.lock).toBe('backup');
    s.lockGuest(100, '');
    expect(s.getGuest(100)!.lock).toBeUndefined();
    expect(s.serviceState('pve1', 'nginx')).toBe('active');
    s.setServiceState('pve1', 'nginx.service', 'failed');
    expect(s.serviceState('pve1', 'nginx')).toBe('failed');
    expect(s.serviceState('pve1', 'nope')).toBeUndefined();
    off();
    s.crashGuest(101);
    expect(events.map((e) => e.kind)).toEqual(['lock', 'lock', 'service']);
  });

  it('disk usage: filling grows a runaway log; removing logs, vacuuming and cleaning free space', () => {
    const s = make();
    s.setUsage('pve1', { diskPercent: 95, memoryPercent: 91 });
    expect(s.usage('pve1').diskPercent).toBeCloseTo(95, 3);
    expect(s.usage('pve1').memoryPercent).toBeCloseTo(91, 3);
    const runaway = s.logFiles('pve1').find((f) => f.path === RUNAWAY_LOG)!;
    const before = s.usage('pve1').disk.used;
    expect(s.truncateLogFile('pve1', RUNAWAY_LOG)).toBe(runaway.sizeBytes);
    const old = s
      .logFiles('pve1')
      .filter((f) => f.ageDays > 7)
      .map((f) => f.path);
    const freedLogs = s.removeLogFiles('pve1', old);
    expect(freedLogs).toBeGreaterThan(0);
    const journal = s.journalBytes('pve1');
    expect(s.vacuumJournal('pve1', 100)).toBe(journal - 100);
    const cache = s.packageCacheBytes('pve1');
    expect(s.cleanPackageCache('pve1')).toBe(cache);
    expect(s.cleanPackageCache('pve1')).toBe(0);
    expect(s.usage('pve1').disk.used).toBe(before - runaway.sizeBytes - freedLogs - (journal - 100) - cache);
    s.setUsage('pve1', { diskPercent: 10 });
    expect(s.usage('pve1').diskPercent).toBeCloseTo(10, 3);
  });
});
