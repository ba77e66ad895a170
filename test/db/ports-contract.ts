/**
 * The store-port contract, part 1 (audit, events, preferences, approvals, samples, storage): the
 * same assertions run against every adapter (ports.test.ts runs them on SQLite and PostgreSQL).
 */
import { describe, expect, it } from 'vitest';
import { chainContent, GENESIS_HASH, rowHash } from '../../src/db/audit-chain.js';
import type { StorePorts } from '../../src/db/ports.js';
import type { NewIncident } from '../../src/contracts/incidents.js';
import { entry } from './helpers.js';

export type OpenPorts = () => Promise<StorePorts>;
export const T = 1_700_000_000_000;

export const incident = (target: string, over: Partial<NewIncident> = {}): NewIncident => ({
  key: `guest.crashed:${target}`,
  condition: 'guest.crashed',
  target,
  node: 'pve1',
  severity: 'critical',
  summary: `${target} crashed`,
  details: { vmid: 101 },
  flapping: false,
  ...over,
});

/** Registers the part-1 contract for the ports `open` returns (a fresh, empty database each call). */
export function storeContract(open: OpenPorts): void {
  describe('audit', () => {
    it('chains appends with the hashes audit-chain.ts defines, lists newest first and verifies', async () => {
      const p = await open();
      const entries = [entry(1), entry(2), entry(3, { error: 'lone \ud800 surrogate' }), entry(4)];
      const ids: number[] = [];
      for (const e of entries) ids.push(await p.audit.append(e));
      expect(ids).toEqual([1, 2, 3, 4]);
      const listed = await p.audit.list({ limit: 10 });
      expect(listed.map((r) => r.id)).toEqual([4, 3, 2, 1]);
      let prev = GENESIS_HASH;
      for (const [i, e] of entries.entries()) {
        const row = listed[listed.length - 1 - i]!;
        expect(row.prevHash).toBe(prev);
        expect(row.hash).toBe(rowHash(prev, chainContent(e)));
        prev = row.hash;
      }
      expect(listed[1]).toMatchObject({ error: 'lone \ufffd surrogate', args: { vmid: 103, node: 'pve1' } });
      expect(await p.audit.verify()).toEqual({ ok: true, rows: 4 });
      expect(await p.audit.count()).toBe(4);
      expect(await p.audit.lastId()).toBe(4);
      expect((await p.audit.list({ beforeId: 3, tool: 'start_guest' })).map((r) => r.id)).toEqual([2]);
      expect((await p.audit.list({ callerKind: 'monitor' })).map((r) => r.id)).toEqual([3]);
      expect(await p.audit.toolCallsAfter(2, 1)).toEqual([
        { id: 3, tool: 'list_nodes', tier: 'green', decision: 'allowed', durationMs: 4.25 },
      ]);
    });

    it('reads an empty chain as verified, and finds the guest stops made through vigil', async () => {
      const p = await open();
      expect(await p.audit.verify()).toEqual({ ok: true, rows: 0 });
      expect(await p.audit.lastId()).toBe(0);
      await p.audit.append(entry(1, { tool: 'stop_guest', args: { vmid: 105 }, at: T + 10 }));
      await p.audit.append(entry(2, { tool: 'shutdown_guest', args: { vmid: 106 }, at: T + 20, decision: 'blocked' }));
      await p.audit.append(entry(3, { tool: 'shutdown_guest', args: { vmid: 107 }, at: T + 30 }));
      expect([...(await p.audit.stopCallsSince(T))]).toEqual([
        [105, T + 10],
        [107, T + 30],
      ]);
    });
  });

  describe('events', () => {
    it('stores events with increasing ids and replays them with since and latest', async () => {
      const p = await open();
      const a = await p.events.append({ type: 'tool.executed', severity: 'info', title: 'a', message: 'm' }, T);
      const b = await p.events.append(
        { type: 'incident.opened', severity: 'critical', title: 'b', message: 'n', node: 'pve1', data: { x: 1 } },
        T + 1,
      );
      expect(b.id).toBe(a.id + 1);
      expect(await p.events.since(a.id)).toEqual([b]);
      expect(await p.events.latest(1)).toEqual([b]);
      expect(await p.events.latest()).toEqual([a, b]);
      expect(await p.events.lastId()).toBe(b.id);
    });

    it('appendWith commits the row and its event together, or neither', async () => {
      const p = await open();
      const opened = await p.events.appendWith(
        (m) => m.tryOpenIncident(incident('vm101'), T),
        (i) => ({ type: 'incident.opened', severity: 'critical', title: i.key, message: i.summary }),
        T,
      );
      expect(opened?.value.key).toBe('guest.crashed:vm101');
      expect(opened?.event).toMatchObject({ type: 'incident.opened', title: 'guest.crashed:vm101', at: T });
      // Already open: write returns undefined, so no event.
      const again = await p.events.appendWith(
        (m) => m.tryOpenIncident(incident('vm101'), T),
        () => ({ type: 'incident.opened', severity: 'critical', title: 'dup', message: '' }),
        T,
      );
      expect(again).toBeUndefined();
      // A failing event rolls the row change back.
      await expect(
        p.events.appendWith(
          (m) => m.resolveIncident(opened!.value.id, T + 5),
          () => {
            throw new Error('event refused');
          },
          T + 5,
        ),
      ).rejects.toThrow('event refused');
      expect((await p.monitor.incident(opened!.value.id))?.status).toBe('open');
      expect((await p.events.latest()).map((e) => e.title)).toEqual(['guest.crashed:vm101']);
    });
  });

  describe('events under concurrency', () => {
    it('runs concurrent appendWith calls one after the other, each with its event', async () => {
      const p = await open();
      const targets = ['vm1', 'vm2', 'vm3', 'vm4'];
      const done = await Promise.all(
        targets.map((t) =>
          p.events.appendWith(
            (m) => m.tryOpenIncident(incident(t), T),
            (i) => ({ type: 'incident.opened', severity: 'critical', title: i.target, message: '' }),
            T,
          ),
        ),
      );
      expect(done.map((d) => d?.event.title).sort()).toEqual(targets);
      expect((await p.events.latest()).map((e) => e.title).sort()).toEqual(targets);
      expect(await p.monitor.activeIncidents()).toHaveLength(4);
    });
  });

  describe('preferences', () => {
    it('defaults, then persists the kill switch and the autonomy level', async () => {
      const p = await open();
      expect(await p.preferences.killSwitch()).toEqual({
        active: false,
        scope: 'autonomy',
        reason: '',
        since: null,
        by: null,
      });
      expect(await p.preferences.autonomyLevel()).toBe(3);
      const on = { active: true, scope: 'all' as const, reason: 'maintenance', since: T, by: 'operator' };
      await p.preferences.setKillSwitch(on, T);
      await p.preferences.setAutonomyLevel(1, T);
      expect(await p.preferences.killSwitch()).toEqual(on);
      expect(await p.preferences.autonomyLevel()).toBe(1);
    });
  });

  describe('approvals', () => {
    const request = {
      tool: 'delete_snapshot',
      args: { vmid: 101, name: 'pre' },
      sessionId: 's1',
      callerKind: 'assistant' as const,
      callerId: 'claude',
      plan: 'delete snapshot pre',
      principal: 'assistant-token',
      ttlMs: 60_000,
    };
    const call = { tool: 'delete_snapshot', args: { name: 'pre', vmid: 101 }, principal: 'assistant-token' };

    it('is decided once and redeemed once, by the same call and principal only', async () => {
      const p = await open();
      const a = await p.approvals.create(request, T);
      expect(a).toMatchObject({ status: 'pending', expiresAt: T + 60_000, principal: 'assistant-token' });
      expect((await p.approvals.pending(T)).map((x) => x.id)).toEqual([a.id]);
      expect(await p.approvals.consume(a.id, call, T)).toMatchObject({ ok: false, code: 'ERR_APPROVAL_NOT_APPROVED' });
      expect(await p.approvals.decide(a.id, 'approved', 'operator', T + 1)).toMatchObject({ ok: true });
      expect(await p.approvals.decide(a.id, 'denied', 'operator', T + 2)).toMatchObject({
        code: 'ERR_APPROVAL_DECIDED',
      });
      expect(await p.approvals.consume(a.id, { ...call, principal: 'oauth:eve' }, T + 3)).toMatchObject({
        code: 'ERR_APPROVAL_MISMATCH',
      });
      expect(await p.approvals.consume(a.id, { ...call, args: { vmid: 102 } }, T + 3)).toMatchObject({
        code: 'ERR_APPROVAL_MISMATCH',
      });
      expect(await p.approvals.consume(a.id, call, T + 4)).toMatchObject({ ok: true, approval: { status: 'used' } });
      expect(await p.approvals.consume(a.id, call, T + 5)).toMatchObject({ code: 'ERR_APPROVAL_USED' });
      expect(await p.approvals.consume('apr_nope', call, T)).toMatchObject({ code: 'ERR_APPROVAL_NOT_FOUND' });
      expect((await p.approvals.recent(10, T + 6)).map((x) => x.status)).toEqual(['used']);
    });

    it('expires unanswered requests', async () => {
      const p = await open();
      const a = await p.approvals.create(request, T);
      expect((await p.approvals.get(a.id, T + 60_000))?.status).toBe('expired');
      expect(await p.approvals.pending(T + 60_000)).toEqual([]);
      expect(await p.approvals.decide(a.id, 'approved', 'operator', T + 60_000)).toMatchObject({
        code: 'ERR_APPROVAL_EXPIRED',
      });
    });
  });

  describe('samples and storage', () => {
    it('records finite samples and reads series, latest, metrics and nodes; prunes by retention', async () => {
      const p = await open();
      await p.samples.record('pve1', 'disk.percent', 50, T);
      await p.samples.record('pve1', 'disk.percent', 51, T + 1000.7);
      await p.samples.record('pve1', 'disk.percent', Number.NaN, T + 2000);
      await p.samples.record('pve1', 'cpu', 3, T);
      await p.samples.record('Pve0', 'cpu', 4, T);
      expect(await p.samples.series('pve1', 'disk.percent', T)).toEqual([
        { at: T, value: 50 },
        { at: T + 1000, value: 51 },
      ]);
      expect(await p.samples.latest('pve1', 'disk.percent')).toEqual({ at: T + 1000, value: 51 });
      expect(await p.samples.latest('pve1', 'nothing')).toBeUndefined();
      expect(await p.samples.metrics('pve1')).toEqual(['cpu', 'disk.percent']);
      expect(await p.samples.nodes()).toEqual(['Pve0', 'pve1']);
      expect(await p.samples.prune(T + 1000, 500)).toBe(3);
    });

    it('reports the store writable, and runs the engine upkeep', async () => {
      const p = await open();
      expect(await p.storage.check()).toEqual({ ok: true });
      await expect(p.maintenance.optimize()).resolves.toBeUndefined();
    });
  });
}
