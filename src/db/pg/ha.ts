/**
 * The HA view over PostgreSQL (see ../ha.ts): leadership by pg/leader.ts for a competing daemon,
 * a standby that only reads the heartbeats otherwise.
 */
import type { Ha, HaRole } from '../ha.js';
import { createLeadership, readDaemons, type Leadership, type LeadershipOptions } from './leader.js';
import { holderAlive } from './leadership-rules.js';
import type { Pool } from './pool.js';

/**
 * PostgreSQL: leadership over `url` when `compete` (the daemon), else a standby that only reads
 * the heartbeats. `pool` is the stores' pool, for reading them.
 */
export function postgresHa(pool: Pool, opts: Omit<LeadershipOptions, 'onChange'> & { compete: boolean }): Ha {
  const listeners = new Set<(role: HaRole) => void>();
  const openedAt = opts.now();
  const roleOf = (l: Leadership | undefined): HaRole => (l?.state().leading ? 'leader' : 'standby');
  const leadership: Leadership | undefined = opts.compete
    ? createLeadership({
        ...opts,
        onChange: () => {
          const role = roleOf(leadership);
          for (const l of listeners) l(role);
        },
      })
    : undefined;
  return {
    engine: 'postgres',
    get role() {
      return roleOf(leadership);
    },
    get epoch() {
      return leadership?.epoch() ?? null;
    },
    get since() {
      return leadership?.since() ?? openedAt;
    },
    daemonId: opts.daemonId,
    intervalMs: opts.intervalMs,
    daemons: () => readDaemons(pool),
    leading: () => leadership?.state().leading ?? false,
    fence: { epoch: () => leadership?.epoch() ?? null },
    async holderAlive(otherwise) {
      return holderAlive(await readDaemons(pool), opts.now(), opts.intervalMs, otherwise);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start: () => leadership?.start(),
    async acquire() {
      await leadership?.tick();
      return leadership?.state().leading ?? false;
    },
    stop: async () => leadership?.stop(),
  };
}
