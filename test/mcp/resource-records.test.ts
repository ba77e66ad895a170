// Pins the resources' pure decisions: which vigil:// URIs parse, which subscribed URIs changed, when the listing changed, and which events touch the cluster snapshot.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  changedUris,
  changesListing,
  clusterPrint,
  listingChanged,
  parseResourceUri,
  touchesCluster,
  urisNamedBy,
} from '../../src/mcp/resource-records.js';
import { EVENT_TYPES } from '../../src/contracts/events.js';

const uri = fc.constantFrom('vigil://cluster', 'vigil://incidents', 'vigil://incidents/1', 'vigil://audit/7', 'x');
const prints = fc.array(fc.tuple(uri, fc.string({ maxLength: 3 }))).map((pairs) => new Map(pairs));

describe('parseResourceUri', () => {
  it('parses exactly the five shapes', () => {
    expect(parseResourceUri('vigil://cluster')).toEqual({ kind: 'cluster' });
    expect(parseResourceUri('vigil://incidents')).toEqual({ kind: 'incidents' });
    expect(parseResourceUri('vigil://incidents/12')).toEqual({ kind: 'incident', id: 12 });
    expect(parseResourceUri('vigil://audit/3')).toEqual({ kind: 'audit', id: 3 });
    expect(parseResourceUri('vigil://approvals/apr_AbC-_9')).toEqual({ kind: 'approval', id: 'apr_AbC-_9' });
    for (const bad of [
      'vigil://incidents/0',
      'vigil://incidents/01',
      'vigil://incidents/',
      'vigil://cluster/',
      'vigil://approvals/x',
      'vigil://audit/1?x',
    ])
      expect(parseResourceUri(bad)).toBeUndefined();
  });

  it('round-trips every positive row id and never throws', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 48 }), (id) => {
        expect(parseResourceUri(`vigil://incidents/${id}`)).toEqual({ kind: 'incident', id });
      }),
    );
    fc.assert(fc.property(fc.string(), (s) => void parseResourceUri(s)));
  });
});

describe('changedUris', () => {
  it('is empty for equal maps, symmetric, and names exactly the URIs whose print differs', () => {
    fc.assert(
      fc.property(prints, prints, (a, b) => {
        expect(changedUris(a, new Map(a))).toEqual([]);
        expect(changedUris(a, b)).toEqual(changedUris(b, a));
        for (const u of new Set([...a.keys(), ...b.keys()]))
          expect(changedUris(a, b).includes(u)).toBe(a.get(u) !== b.get(u));
      }),
    );
  });
});

describe('listingChanged', () => {
  it('ignores order and detects any added or removed URI', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string()), fc.string(), (list, extra) => {
        expect(listingChanged(list, [...list].reverse())).toBe(false);
        if (!list.includes(extra)) {
          expect(listingChanged(list, [...list, extra])).toBe(true);
          expect(listingChanged([...list, extra], list)).toBe(true);
        }
      }),
    );
  });
});

describe('touchesCluster', () => {
  it('is true for incidents, remediation and actions, false for the rest', () => {
    const touching = EVENT_TYPES.filter((type) => touchesCluster({ type }));
    expect(touching).toEqual([
      'tool.executed',
      'incident.opened',
      'incident.resolved',
      'incident.escalated',
      'remediation.started',
      'remediation.succeeded',
      'remediation.failed',
      'remediation.skipped',
    ]);
  });
});

describe('urisNamedBy and changesListing', () => {
  it('names the incident and the open list for incident and remediation events, the approval for approval events', () => {
    fc.assert(
      fc.property(fc.constantFrom(...EVENT_TYPES), fc.integer({ min: 1, max: 1e9 }), (type, id) => {
        const named = urisNamedBy({ type, data: { incidentId: id, approvalId: `apr_${id}` } });
        if (type.startsWith('incident.') || type.startsWith('remediation.'))
          expect(named).toEqual(['vigil://incidents', `vigil://incidents/${id}`]);
        else if (type.startsWith('approval.')) expect(named).toEqual([`vigil://approvals/apr_${id}`]);
        else expect(named).toEqual([]);
        expect(urisNamedBy({ type })).toEqual([]);
      }),
    );
    expect(EVENT_TYPES.filter((type) => changesListing({ type }))).toEqual([
      'approval.requested',
      'approval.resolved',
      'incident.opened',
      'incident.resolved',
    ]);
  });
});

describe('clusterPrint', () => {
  const snapshot = (cpu: number, disk: number, status: string) => ({
    criticalAt: 1,
    routineAt: 1,
    thresholds: { diskPercent: 90, memoryPercent: 95 },
    clusterReadable: true,
    nodes: [{ name: 'pve1', online: true, cpuPercent: cpu, memoryPercent: 40, diskPercent: disk }],
    guests: [{ vmid: 100, node: 'pve1', type: 'qemu' as const, status, ha: false, template: false, tags: [] }],
    storage: [],
    http: [],
  });

  it('ignores usage that moves below the thresholds, and changes with a guest status or a crossed threshold', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 89 }), (cpu, disk) => {
        const base = clusterPrint(snapshot(cpu, disk, 'running'));
        expect(clusterPrint(snapshot(50, 10, 'running'))).toBe(base);
        expect(clusterPrint(snapshot(cpu, disk, 'stopped'))).not.toBe(base);
        expect(clusterPrint(snapshot(cpu, 90 + (disk % 10), 'running'))).not.toBe(base);
      }),
    );
  });
});
