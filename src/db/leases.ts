/**
 * The remediation_leases table (migration 2): the blast radius. A process holds a lease on a node
 * while it remediates there; leases expire if the holder dies. Taking one runs in an IMMEDIATE
 * transaction, so two processes sharing the database cannot both take the last slot.
 */
import type { Db } from './database.js';
import { decideLease, type Lease } from '../contracts/leases.js';
import { leaseOf, type Row } from './rows.js';

/** What `acquireLease` decided: granted or not, the stale leases it cleared, the live ones it saw. */
export interface LeaseGrant {
  ok: boolean;
  recovered: Lease[];
  holders: Lease[];
}

/** Creates the lease store over an open database. */
export function createLeaseStore(db: Db) {
  const q = {
    all: db.prepare('SELECT * FROM remediation_leases ORDER BY node'),
    put: db.prepare(
      `INSERT INTO remediation_leases (node, holder, pid, host, incident_key, acquired_at, expires_at)
       VALUES (@node, @holder, @pid, @host, @incidentKey, @acquiredAt, @expiresAt)
       ON CONFLICT(node) DO UPDATE SET holder = excluded.holder, pid = excluded.pid, host = excluded.host,
         incident_key = excluded.incident_key, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at`,
    ),
    release: db.prepare('DELETE FROM remediation_leases WHERE node = ? AND holder = ?'),
    drop: db.prepare('DELETE FROM remediation_leases WHERE node = ?'),
    renew: db.prepare('UPDATE remediation_leases SET expires_at = ? WHERE node = ? AND holder = ?'),
  };

  const leases = (): Lease[] => (q.all.all() as Row[]).map(leaseOf);

  // Read, decide and write inside one transaction: the decision sees the leases it replaces.
  const acquireTx = db.transaction((lease: Lease, maxNodes: number, alive: (l: Lease) => boolean): LeaseGrant => {
    const d = decideLease(leases(), { node: lease.node, holder: lease.holder, now: lease.acquiredAt }, maxNodes, alive);
    for (const l of d.drop) q.drop.run(l.node);
    if (d.grant) q.put.run(lease);
    return { ok: d.grant, recovered: d.drop, holders: d.live };
  });

  return {
    leases,
    /**
     * Takes (or keeps) the lease on `lease.node` when the blast radius allows it (decideLease):
     * expired leases and those of dead holders are cleared first.
     */
    acquireLease: (lease: Lease, maxNodes: number, alive: (l: Lease) => boolean): LeaseGrant =>
      acquireTx.immediate(lease, maxNodes, alive),
    renewLease: (node: string, holder: string, expiresAt: number): boolean =>
      q.renew.run(expiresAt, node, holder).changes === 1,
    releaseLease: (node: string, holder: string): boolean => q.release.run(node, holder).changes === 1,
  };
}

export type LeaseStore = ReturnType<typeof createLeaseStore>;
