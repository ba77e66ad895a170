/**
 * Remediation leases (blast radius): the shape the store keeps and the pure decision whether a
 * holder may take one. Lives here so the store (below the monitor) can apply it inside its
 * transaction without importing the monitor. Part of the contracts layer: imports nothing of vigil's.
 */

/** The part of a lease the decision reads. */
export interface LeaseView {
  node: string;
  holder: string;
  expiresAt: number;
}

/** A lease as stored: which process holds which node for which incident, until when. */
export interface Lease extends LeaseView {
  pid: number;
  host: string;
  incidentKey: string;
  acquiredAt: number;
}

/**
 * Blast radius: may `holder` lease `node` at `now`? Leases past their expiry or whose holder is
 * dead are dropped first; then a node leased by someone else is refused, and a new node is
 * refused when `maxNodes` nodes are leased already.
 */
export function decideLease<L extends LeaseView>(
  current: readonly L[],
  request: { node: string; holder: string; now: number },
  maxNodes: number,
  alive: (lease: L) => boolean,
): { grant: boolean; drop: L[]; live: L[] } {
  const drop = current.filter((l) => l.expiresAt <= request.now || !alive(l));
  const live = current.filter((l) => !drop.includes(l));
  const mine = live.find((l) => l.node === request.node);
  if (mine) return { grant: mine.holder === request.holder, drop, live };
  return { grant: live.length < maxNodes, drop, live };
}
