/** This process as the holder of remediation leases, and whether another lease holder still lives. */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Lease } from '../contracts/leases.js';
import type { Holder } from './remediate-types.js';

/** This process as a lease holder. */
export function processHolder(): Holder {
  return { id: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`, pid: process.pid, host: hostname() };
}

/** Default liveness: a holder on this host is alive while its pid answers signal 0. */
export function pidAlive(me: Holder): (l: Lease) => boolean {
  return (l) => {
    if (l.holder === me.id) return true;
    if (l.host !== me.host) return true;
    if (l.pid === me.pid) return false; // same pid, other holder id: an earlier life of this process
    try {
      process.kill(l.pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  };
}
