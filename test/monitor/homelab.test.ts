// Pins how the homelab snapshot folds each cycle's readings: every snapshot matches the socket schema, percentages stay in 0–100, a critical cycle keeps services and HTTP, and an unreadable cluster keeps what was last seen.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHomelabFeed, emptySnapshot, mergeObservation, type Observation } from '../../src/monitor/homelab.js';
import { homelabSnapshotSchema } from '../../src/realtime/socket-protocol.js';

const thresholds = { diskPercent: 90, memoryPercent: 95 };
const usage = fc.option(fc.double({ min: -50, max: 250, noNaN: true }), { nil: undefined });
const name = fc.constantFrom('pve1', 'pve2', 'pve3');
const cluster = fc.record({
  nodes: fc.array(
    fc.record({ name, online: fc.boolean(), diskPercent: usage, memoryPercent: usage, cpuPercent: usage }),
    { maxLength: 3 },
  ),
  guests: fc.array(
    fc.record({
      vmid: fc.integer({ min: 100, max: 999 }),
      node: name,
      type: fc.constantFrom('qemu' as const, 'lxc' as const),
      status: fc.constantFrom('running', 'stopped', 'unknown'),
      ha: fc.boolean(),
      template: fc.boolean(),
      tags: fc.array(fc.constantFrom('prod', 'web'), { maxLength: 2 }),
    }),
    { maxLength: 4 },
  ),
  storage: fc.array(
    fc.record({
      node: name,
      storage: fc.constantFrom('local', 'ceph'),
      status: fc.constantFrom('available', 'unknown'),
      shared: fc.boolean(),
      usedPercent: usage,
    }),
    { maxLength: 3 },
  ),
});
const observation: fc.Arbitrary<Observation> = fc.oneof(
  fc.record({
    kind: fc.constant('critical' as const),
    at: fc.integer({ min: 0, max: 2 ** 40 }),
    cluster: fc.option(cluster, { nil: null }),
    sshReachable: fc.array(fc.tuple(name, fc.boolean())).map((e) => new Map(e)),
  }),
  fc.record({
    kind: fc.constant('routine' as const),
    at: fc.integer({ min: 0, max: 2 ** 40 }),
    cluster: fc.option(cluster, { nil: null }),
    nodes: fc.constant(null),
    services: fc
      .array(fc.tuple(name, fc.constantFrom('active', 'failed')))
      .map((e) => new Map(e.map(([n, s]) => [n, new Map([['nginx.service', s]])]))),
    http: fc.array(fc.tuple(fc.constantFrom('web', 'api'), fc.record({ ok: fc.boolean() }))).map((e) => new Map(e)),
  }),
);

describe('mergeObservation', () => {
  it('always yields a snapshot the socket schema accepts, with percentages inside 0–100', () => {
    fc.assert(
      fc.property(fc.array(observation, { maxLength: 8 }), (obs) => {
        const s = obs.reduce(mergeObservation, emptySnapshot(thresholds));
        expect(homelabSnapshotSchema.safeParse(s).success).toBe(true);
        for (const n of s.nodes)
          for (const v of [n.cpuPercent, n.memoryPercent, n.diskPercent])
            if (v !== undefined) expect(v).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('keeps services and HTTP through critical cycles, and the last nodes when the cluster is unreadable', () => {
    const routine: Observation = {
      kind: 'routine',
      at: 2,
      cluster: { nodes: [{ name: 'pve1', online: true, diskPercent: 50 }], guests: [], storage: [] },
      nodes: null,
      services: new Map([['pve1', new Map([['nginx.service', 'failed']])]]),
      http: new Map([['web', { ok: false, error: 'connection refused' }]]),
    };
    const after = mergeObservation(mergeObservation(emptySnapshot(thresholds), routine), {
      kind: 'critical',
      at: 3,
      cluster: null,
      sshReachable: new Map([['pve1', false]]),
    });
    expect(after).toMatchObject({
      criticalAt: 3,
      routineAt: 2,
      clusterReadable: false,
      nodes: [
        { name: 'pve1', online: true, diskPercent: 50, sshReachable: false, services: { 'nginx.service': 'failed' } },
      ],
      http: [{ name: 'web', ok: false, error: 'connection refused' }],
    });
  });

  it('tells subscribers each new snapshot, and a throwing subscriber does not stop the others', () => {
    const errors: unknown[] = [];
    const feed = createHomelabFeed({ thresholds, onListenerError: (e) => errors.push(e) });
    const seen: number[] = [];
    feed.subscribe(() => {
      throw new Error('broken');
    });
    feed.subscribe((s) => seen.push(s.criticalAt ?? -1));
    feed.observe({ kind: 'critical', at: 7, cluster: null, sshReachable: new Map() });
    expect(seen).toEqual([7]);
    expect(errors).toHaveLength(1);
    expect(feed.latest().criticalAt).toBe(7);
  });
});
