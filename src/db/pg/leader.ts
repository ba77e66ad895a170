/**
 * One active monitor among daemons sharing a PostgreSQL database. Leadership is a session-level
 * advisory lock held on a dedicated connection (not from the pool, whose connections come and
 * go): while that session lives, no other daemon gets the lock. Whoever takes the lock bumps the
 * fencing epoch in the same critical section, and its lease and action writes carry that epoch
 * (fencing.ts), so a deposed leader's late writes are refused.
 *
 * Failing safe: any error or end of the lock connection, or a heartbeat on it that fails, ends
 * leadership at once — the daemon stops acting before it knows whether the lock is gone. The
 * lock session sets idle_session_timeout to two intervals, so when the leader's node dies or is
 * cut off, the server ends its session and frees the lock within two intervals of its last beat.
 * Every daemon records a heartbeat (id, role, since, last beat) for `vigil status`.
 */
import pg from 'pg';
import { nextLeadership, STANDBY, takeoverDue, type LeadershipState } from './leadership-rules.js';
import { checkPostgresUrl, rows, vigilTypes, type Queryable } from './pool.js';

/** A distinct number for vigil's leadership lock; `lockKey` overrides it (one per monitored fleet). */
export const LEADER_LOCK_KEY = 0x76696c30;

export interface LeadershipOptions {
  url: string;
  /** Unique per daemon: host, pid and a random part. */
  daemonId: string;
  host: string;
  pid: number;
  /** How often to beat, and how often a standby tries the lock. */
  intervalMs: number;
  now: () => number;
  lockKey?: number;
  /** Told every change of role (became leader, deposed). */
  onChange?: (state: LeadershipState) => void;
}

/** One daemon's heartbeat as stored. */
export interface DaemonBeat {
  daemonId: string;
  role: 'leader' | 'standby' | 'stopped';
  host: string;
  pid: number;
  epoch: number | null;
  since: number;
  lastBeat: number;
}

/** Reads every daemon's heartbeat, newest beat first. */
export async function readDaemons(db: Queryable): Promise<DaemonBeat[]> {
  const found = await rows<Record<string, unknown>>(db, 'SELECT * FROM vigil_daemons ORDER BY last_beat DESC');
  return found.map((r) => ({
    daemonId: r.daemon_id as string,
    role: r.role as DaemonBeat['role'],
    host: r.host as string,
    // Number(): the reader may be any connection, with or without vigil's BIGINT parsing.
    pid: Number(r.pid),
    epoch: r.epoch === null ? null : Number(r.epoch),
    since: Number(r.since),
    lastBeat: Number(r.last_beat),
  }));
}

/** Creates the leadership of one daemon; `start()` runs it on a timer, `tick()` runs one round. */
export function createLeadership(opts: LeadershipOptions) {
  checkPostgresUrl(opts.url);
  const key = opts.lockKey ?? LEADER_LOCK_KEY;
  let state: LeadershipState = STANDBY;
  let since = opts.now();
  let client: pg.Client | null = null;
  let lastAttemptAt: number | null = null;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let stopped = false;

  const apply = (event: Parameters<typeof nextLeadership>[1]): void => {
    const next = nextLeadership(state, event);
    const changed = next.leading !== state.leading || next.epoch !== state.epoch;
    state = next;
    if (!changed) return;
    since = opts.now();
    opts.onChange?.(state);
  };

  /** Ends leadership now and drops the connection; the next round reconnects. */
  const lose = (dead: pg.Client): void => {
    if (client !== dead) return;
    client = null;
    apply({ kind: 'lost' });
    dead.end().catch(() => undefined);
  };

  async function connect(): Promise<pg.Client> {
    const c = new pg.Client({
      connectionString: opts.url,
      types: vigilTypes(),
      application_name: `vigil-leader ${opts.daemonId}`,
      keepAlive: true,
      // A connect or a query on the lock connection that hangs (a cut network) counts as losing it.
      connectionTimeoutMillis: opts.intervalMs * 2,
      query_timeout: opts.intervalMs * 2,
    });
    c.on('error', () => lose(c));
    c.on('end', () => lose(c));
    client = c;
    try {
      await c.connect();
      // PostgreSQL 14 or newer: the server ends this session when its beats stop (a dead or cut-off leader).
      await c.query(`SET idle_session_timeout = ${Math.max(2 * opts.intervalMs, 100)}`);
    } catch (err) {
      lose(c);
      throw err;
    }
    return c;
  }

  async function beat(c: pg.Client): Promise<void> {
    await c.query(
      `INSERT INTO vigil_daemons (daemon_id, role, host, pid, epoch, since, last_beat) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (daemon_id) DO UPDATE SET role = excluded.role, host = excluded.host, pid = excluded.pid,
         epoch = excluded.epoch, since = excluded.since, last_beat = excluded.last_beat`,
      [opts.daemonId, state.leading ? 'leader' : 'standby', opts.host, opts.pid, state.epoch, since, opts.now()],
    );
  }

  async function round(): Promise<void> {
    let c = client;
    try {
      c ??= await connect();
      const now = opts.now();
      if (takeoverDue(state, lastAttemptAt, now, opts.intervalMs)) {
        lastAttemptAt = now;
        const got = (await c.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1) AS got', [key])).rows[0]?.got;
        if (got) {
          // The bump happens while this session holds the lock: no two leaders bump at once.
          const bumped = await c.query<{ epoch: number }>(
            'UPDATE vigil_leadership SET epoch = epoch + 1, leader = $1, since = $2 WHERE id = 1 RETURNING epoch',
            [opts.daemonId, now],
          );
          apply({ kind: 'acquired', epoch: bumped.rows[0]!.epoch });
          // A refused acquisition (a stale epoch) must not keep the lock from the others.
          if (!state.leading) await c.query('SELECT pg_advisory_unlock($1)', [key]);
        }
      }
      await beat(c);
      apply({ kind: 'beat' });
    } catch {
      if (c) lose(c);
      else apply({ kind: 'lost' });
    }
  }

  /** Runs one round (connect if needed, try the lock when due, beat); rounds never overlap. */
  function tick(): Promise<void> {
    running ??= round().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    tick,
    /** The epoch this daemon leads under, null while it does not: the fence its writes carry. */
    epoch: (): number | null => state.epoch,
    state: (): LeadershipState => state,
    /** When the current role began. */
    since: (): number => since,
    /** Runs rounds every `intervalMs` until `stop()`. */
    start(): void {
      const loop = (): void => {
        if (stopped) return;
        void tick().then(() => {
          if (!stopped) timer = setTimeout(loop, opts.intervalMs);
        });
      };
      loop();
    },
    /** Stops the rounds, records the daemon as stopped and releases the lock by ending its session. */
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await running;
      const c = client;
      if (!c) return;
      client = null;
      apply({ kind: 'lost' });
      await c
        .query(`UPDATE vigil_daemons SET role = 'stopped', epoch = NULL, since = $2 WHERE daemon_id = $1`, [
          opts.daemonId,
          opts.now(),
        ])
        .catch(() => undefined);
      await c.end().catch(() => undefined);
    },
  };
}

export type Leadership = ReturnType<typeof createLeadership>;
