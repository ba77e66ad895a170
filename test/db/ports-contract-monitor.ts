/**
 * The store-port contract, part 2 (incidents, actions, leases, silences, schedule runs, outbox):
 * the same assertions run against every adapter (ports.test.ts runs them on SQLite and PostgreSQL).
 */
import { describe, expect, it } from 'vitest';
import type { NewOutboxRow } from '../../src/db/outbox.js';
import type { Lease } from '../../src/contracts/leases.js';
import { incident, T, type OpenPorts } from './ports-contract.js';

const MIN = 60_000;
const lease = (node: string, holder: string, at = T): Lease => ({
  node,
  holder,
  pid: 1,
  host: 'h',
  incidentKey: `k:${node}`,
  acquiredAt: at,
  expiresAt: at + MIN,
});
const row = (kind: NewOutboxRow['kind'], subject: string, channel = 'email'): NewOutboxRow => ({
  channel,
  kind,
  incidentKey: `guest.crashed:${subject}`,
  payload: { subject, body: `body of ${subject}` },
});
const claimOpts = (owner: string, now: number) => ({
  owner,
  now,
  leaseMs: 2 * MIN,
  digestMs: 5 * MIN,
  channels: ['email', 'webhook:x'],
});

/** Registers the part-2 contract for the ports `open` returns (a fresh, empty database each call). */
export function monitorContract(open: OpenPorts): void {
  describe('incidents and actions', () => {
    it('keeps one active incident per key, and resolved is final', async () => {
      const { monitor: m } = await open();
      const a = await m.openIncident(incident('vm101'), T);
      expect(await m.tryOpenIncident(incident('vm101'), T + 1)).toBeUndefined();
      expect((await m.openIncident(incident('vm101'), T + 1)).id).toBe(a.id);
      expect(a).toMatchObject({ status: 'open', flapping: false, details: { vmid: 101 }, node: 'pve1' });
      await m.touchIncident(a.id, 'still down', { tries: 2 }, T + 2);
      await m.setStatus(a.id, 'remediating', T + 3);
      expect(await m.activeIncident(a.key)).toMatchObject({
        status: 'remediating',
        summary: 'still down',
        lastSeen: T + 2,
      });
      expect(await m.resolveIncident(a.id, T + 4)).toBe(true);
      expect(await m.resolveIncident(a.id, T + 5)).toBe(false);
      expect(await m.escalateIncident(a.id, T + 5)).toBe(false);
      await m.setStatus(a.id, 'open', T + 6);
      expect(await m.incident(a.id)).toMatchObject({ status: 'resolved', resolvedAt: T + 4 });
      const b = await m.openIncident(incident('vm101', { flapping: true }), T + 7);
      expect(b.id).not.toBe(a.id);
      expect(await m.openingsSince(a.key, T)).toBe(2);
      expect((await m.activeIncidents()).map((i) => i.id)).toEqual([b.id]);
      expect((await m.listIncidents({ status: 'resolved', limit: 5 })).map((i) => i.id)).toEqual([a.id]);
      expect((await m.listIncidents({ limit: 5 })).map((i) => i.id)).toEqual([b.id, a.id]);
      await m.setApproval(b.id, 'apr_1', T + 8);
      expect(await m.escalateIncident(b.id, T + 9)).toBe(true);
      expect(await m.incident(b.id)).toMatchObject({ approvalId: 'apr_1', status: 'escalated', flapping: true });
    });

    it('records actions as attempts, giving an attempt back when one turns out not to count', async () => {
      const { monitor: m } = await open();
      const i = await m.openIncident(incident('vm102'), T);
      const base = { incidentId: i.id, incidentKey: i.key, runbook: 'restart', tool: 'start_guest', node: 'pve1' };
      const start = {
        ...base,
        args: { vmid: 102 },
        result: 'running' as const,
        detail: '',
        holder: 'd1',
        approvalId: null,
      };
      const a1 = await m.startAction({ ...start, counts: true, startedAt: T });
      const a2 = await m.startAction({ ...start, counts: true, startedAt: T + 1 });
      expect((await m.incident(i.id))?.attempts).toBe(2);
      expect((await m.runningActions()).map((a) => a.id)).toEqual([a1, a2]);
      await m.finishAction(a1, {
        result: 'succeeded',
        detail: 'ok',
        counts: true,
        finishedAt: T + 2,
        durationMs: 1.5,
        auditId: 7,
      });
      await m.finishAction(a2, {
        result: 'blocked',
        detail: 'gate',
        counts: false,
        finishedAt: T + 3,
        durationMs: 0.5,
      });
      expect((await m.incident(i.id))?.attempts).toBe(1);
      expect(await m.action(a1)).toMatchObject({
        result: 'succeeded',
        auditId: 7,
        counts: true,
        durationMs: 1.5,
        args: { vmid: 102 },
      });
      expect((await m.actionsForKey(i.key, T + 1)).map((a) => a.id)).toEqual([a2]);
      expect((await m.actionsForIncident(i.id)).map((a) => a.id)).toEqual([a1, a2]);
      expect((await m.recentActions({ incidentKey: i.key, limit: 1 })).map((a) => a.id)).toEqual([a2]);
      expect((await m.actionsSince(T)).length).toBe(2);
      expect(await m.runningActions()).toEqual([]);
    });
  });

  describe('leases, silences and runs', () => {
    it('grants leases within the blast radius, recovers expired ones, renews and releases', async () => {
      const { monitor: m } = await open();
      const alive = () => true;
      expect((await m.acquireLease(lease('pve1', 'd1'), 1, alive)).ok).toBe(true);
      const refused = await m.acquireLease(lease('pve2', 'd2'), 1, alive);
      expect(refused).toMatchObject({ ok: false, recovered: [] });
      expect(refused.holders.map((l) => l.node)).toEqual(['pve1']);
      expect(await m.renewLease('pve1', 'd1', T + 2 * MIN)).toBe(true);
      expect(await m.renewLease('pve1', 'd2', T + 2 * MIN)).toBe(false);
      const later = await m.acquireLease(lease('pve2', 'd2', T + 3 * MIN), 1, alive);
      expect(later).toMatchObject({ ok: true });
      expect(later.recovered.map((l) => l.holder)).toEqual(['d1']);
      expect(await m.releaseLease('pve2', 'd1')).toBe(false);
      expect((await m.leases()).map((l) => `${l.node}/${l.holder}`)).toEqual(['pve2/d2']);
      expect(await m.releaseLease('pve2', 'd2')).toBe(true);
    });

    it('keeps silences active in their window and the last run of each schedule', async () => {
      const { monitor: m } = await open();
      const id = await m.addSilence(
        { matcher: 'pve1', reason: 'upgrade', createdBy: 'op', startsAt: T, endsAt: T + MIN },
        T,
      );
      expect((await m.activeSilences(T + 1)).map((s) => s.id)).toEqual([id]);
      expect(await m.activeSilences(T + MIN)).toEqual([]);
      expect(await m.endSilence(id, T + 2)).toBe(true);
      expect(await m.endSilence(id, T + 3)).toBe(false);
      const run = {
        kind: 'routine' as const,
        holder: 'd1',
        startedAt: T,
        finishedAt: null,
        durationMs: null,
        error: null,
        summary: null,
      };
      await m.recordRun(run);
      await m.recordRun({ ...run, kind: 'critical', finishedAt: T + 5, durationMs: 5, summary: 'ok' });
      expect((await m.runs()).map((r) => `${r.kind}:${r.summary}`)).toEqual(['critical:ok', 'routine:null']);
    });
  });

  describe('outbox', () => {
    it('leases a claimed row to one holder until the lease expires', async () => {
      const { outbox: o } = await open();
      const [id] = await o.add([row('escalation', 'web down')], T);
      expect((await o.claim(claimOpts('A', T))).map((r) => r.id)).toEqual([id]);
      expect(await o.claim(claimOpts('B', T + MIN))).toEqual([]);
      expect(await o.leaseHolders()).toEqual([{ owner: 'A', ids: [id] }]);
      expect((await o.claim(claimOpts('B', T + 2 * MIN))).map((r) => r.id)).toEqual([id]);
      expect(await o.markDelivered([id!], 'A', T + 2 * MIN)).toBe(0);
      expect(await o.markDelivered([id!], 'B', T + 2 * MIN)).toBe(1);
      expect(await o.get(id!)).toMatchObject({ status: 'delivered', deliveredAt: T + 2 * MIN, leaseOwner: null });
      expect(await o.counts()).toEqual({ pending: 0, delivered: 1, failed: 0 });
    });

    it('claims escalations first, folds reports per channel once per digest window, retries and gives up', async () => {
      const { outbox: o } = await open();
      await o.add(
        [
          row('report', 'r1'),
          row('recovery', 'ok1'),
          row('report', 'r2'),
          row('escalation', 'e1'),
          row('report', 'w1', 'webhook:x'),
        ],
        T,
      );
      const claimed = await o.claim(claimOpts('A', T));
      expect(claimed.map((r) => `${r.channel}/${r.kind}/${r.payload.subject}`)).toEqual([
        'email/escalation/e1',
        'email/recovery/ok1',
        'email/report/r1',
        'email/report/r2',
        'webhook:x/report/w1',
      ]);
      const reports = claimed.filter((r) => r.kind === 'report' && r.channel === 'email').map((r) => r.id);
      expect(await o.markDelivered(reports, 'A', T)).toBe(2);
      const [r3] = await o.add([row('report', 'r3')], T + MIN);
      expect(await o.claim(claimOpts('A', T + MIN))).toEqual([]);
      // The first claim's leases expired meanwhile: its unsettled rows come back with the new digest.
      const again = await o.claim(claimOpts('A', T + 5 * MIN));
      // Singles in priority order; the channels' digests in no promised order.
      expect(again.slice(0, 2).map((r) => r.payload.subject)).toEqual(['e1', 'ok1']);
      expect(
        again
          .slice(2)
          .map((r) => r.payload.subject)
          .sort(),
      ).toEqual(['r3', 'w1']);
      expect(await o.markRetry([{ id: r3!, nextAttemptAt: T + 20 * MIN }], 'A', 'smtp down')).toBe(1);
      expect(await o.get(r3!)).toMatchObject({ attempts: 1, lastError: 'smtp down', leaseOwner: null });
      const singles = claimed.filter((r) => r.kind !== 'report').map((r) => r.id);
      expect(await o.release([singles[0]!], 'A')).toBe(1);
      expect(await o.markFailed([singles[1]!], 'A', 'bounced')).toBe(1);
      expect(await o.counts()).toEqual({ pending: 3, delivered: 2, failed: 1 });
      expect(await o.dropOrphans(['email'], T + 30 * MIN, 'channel removed')).toBe(1);
      expect(await o.prune(T + 1)).toBe(4);
      expect((await o.list()).map((r) => r.payload.subject)).toEqual(['e1', 'r3']);
    });
  });
}
