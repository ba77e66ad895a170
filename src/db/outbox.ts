/**
 * The notification outbox: every notification is a row before any delivery attempt, so nothing is
 * lost while SMTP or a webhook is down or the daemon restarts. Delivery workers (one per process)
 * claim rows under a lease inside an IMMEDIATE transaction, so two processes sharing the database
 * never hold the same row at once; a row whose holder died becomes claimable when its lease expires.
 */
import { boundLimit, type Db } from './database.js';
import {
  NOTIFICATION_KINDS,
  OUTBOX_STATUSES,
  outboxRowOf,
  type NewOutboxRow,
  type NotificationKind,
  type OutboxPayload,
  type OutboxRow,
  type OutboxStatus,
  type Row,
} from './rows.js';

export {
  NOTIFICATION_KINDS,
  OUTBOX_STATUSES,
  type NewOutboxRow,
  type NotificationKind,
  type OutboxPayload,
  type OutboxRow,
  type OutboxStatus,
};

export interface ClaimOptions {
  /** Unique per worker: host, pid and a random part. */
  owner: string;
  /** Channels this worker can send to; rows of other channels are left for a worker that can. */
  channels: readonly string[];
  now: number;
  leaseMs: number;
  /** Reports to one channel are folded and sent at most once per this many ms. */
  digestMs: number;
  /** At most this many rows that are not reports per claim. */
  limit?: number;
}

/** Creates the outbox store over an open database. */
export function createOutboxStore(db: Db) {
  const insert = db.prepare(
    `INSERT INTO outbox (channel, kind, incident_key, payload, status, attempts, created_at, next_attempt_at)
     VALUES (@channel, @kind, @incident_key, @payload, 'pending', 0, @at, @at)`,
  );
  const free = `status = 'pending' AND (lease_until IS NULL OR lease_until <= @now)
    AND channel IN (SELECT value FROM json_each(@channels))`;
  // Escalations first: when a backlog drains, the urgent mail must not wait behind the rest.
  const dueSingles = db.prepare<{ now: number; limit: number; channels: string }, Row>(
    `SELECT * FROM outbox WHERE ${free} AND kind != 'report' AND next_attempt_at <= @now
     ORDER BY CASE kind WHEN 'escalation' THEN 0 ELSE 1 END, id ${boundLimit('@limit')}`,
  );
  const reportChannels = db.prepare<{ now: number; channels: string }, { channel: string }>(
    `SELECT DISTINCT channel FROM outbox WHERE ${free} AND kind = 'report' AND next_attempt_at <= @now`,
  );
  const digestBusy = db.prepare<{ channel: string; now: number }, { n: number }>(
    `SELECT count(*) AS n FROM outbox WHERE channel = @channel AND kind = 'report' AND status = 'pending' AND lease_until > @now`,
  );
  const lastDigest = db.prepare<{ channel: string }, { at: number | null }>(
    `SELECT max(delivered_at) AS at FROM outbox WHERE channel = @channel AND kind = 'report' AND status = 'delivered'`,
  );
  const channelReports = db.prepare<{ channel: string; now: number; channels: string }, Row>(
    `SELECT * FROM outbox WHERE ${free} AND kind = 'report' AND channel = @channel ORDER BY id LIMIT 500`,
  );
  const lease = db.prepare('UPDATE outbox SET lease_owner = @owner, lease_until = @until WHERE id = @id');
  const delivered = db.prepare(
    `UPDATE outbox SET status = 'delivered', delivered_at = @at, lease_owner = NULL, lease_until = NULL, last_error = NULL
     WHERE id = @id AND status = 'pending' AND lease_owner = @owner`,
  );
  const retry = db.prepare(
    `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = @next, last_error = @error, lease_owner = NULL, lease_until = NULL
     WHERE id = @id AND status = 'pending' AND lease_owner = @owner`,
  );
  const giveUp = db.prepare(
    `UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = @error, lease_owner = NULL, lease_until = NULL
     WHERE id = @id AND status = 'pending' AND lease_owner = @owner`,
  );
  const unlease = db.prepare(
    `UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE id = @id AND status = 'pending' AND lease_owner = @owner`,
  );
  const byId = db.prepare<[number], Row>('SELECT * FROM outbox WHERE id = ?');
  const list = db.prepare<[number], Row>(`SELECT * FROM outbox ORDER BY id ${boundLimit()}`);
  const counts = db.prepare<[], { status: string; n: number }>(
    'SELECT status, count(*) AS n FROM outbox GROUP BY status',
  );
  const orphans = db.prepare(
    `UPDATE outbox SET status = 'failed', last_error = @error
     WHERE status = 'pending' AND created_at < @before AND (lease_until IS NULL OR lease_until <= @before)
       AND channel NOT IN (SELECT value FROM json_each(@channels))`,
  );
  const purge = db.prepare(`DELETE FROM outbox WHERE status != 'pending' AND created_at < ?`);

  const claimTx = db.transaction((opts: ClaimOptions): OutboxRow[] => {
    const { now } = opts;
    const channels = JSON.stringify(opts.channels);
    const rows = dueSingles.all({ now, limit: opts.limit ?? 50, channels });
    for (const { channel } of reportChannels.all({ now, channels })) {
      // One digest in flight per channel, and none sooner than digestMs after the last one delivered.
      if ((digestBusy.get({ channel, now })?.n ?? 0) > 0) continue;
      const last = lastDigest.get({ channel })?.at ?? null;
      if (last !== null && now < last + opts.digestMs) continue;
      // Backed-off reports join the due ones: the channel is being tried anyway, and one digest beats two.
      rows.push(...channelReports.all({ channel, now, channels }));
    }
    for (const row of rows) lease.run({ owner: opts.owner, until: now + opts.leaseMs, id: row.id });
    return rows.map((r) => outboxRowOf({ ...r, lease_owner: opts.owner, lease_until: now + opts.leaseMs }));
  });

  return {
    /** Stores new pending rows, all or none; returns their ids. */
    add(rows: readonly NewOutboxRow[], at: number): number[] {
      return db.transaction(() =>
        rows.map((r) =>
          Number(
            insert.run({
              channel: r.channel,
              kind: r.kind,
              incident_key: r.incidentKey,
              payload: JSON.stringify(r.payload),
              at,
            }).lastInsertRowid,
          ),
        ),
      )();
    },
    /**
     * Leases every row due now for `owner`: escalations and recoveries one by one, and for each
     * channel whose digest window is open all its pending reports. IMMEDIATE, so the read and the
     * lease are one step no other process can interleave with.
     */
    claim(opts: ClaimOptions): OutboxRow[] {
      return claimTx.immediate(opts);
    },
    /** Marks rows delivered if `owner` still holds them; returns how many it marked. */
    markDelivered(ids: readonly number[], owner: string, at: number): number {
      return db.transaction(() => ids.reduce((n, id) => n + delivered.run({ id, owner, at }).changes, 0))();
    },
    /** Records a failed attempt and when to try again, if `owner` still holds the rows. */
    markRetry(rows: readonly { id: number; nextAttemptAt: number }[], owner: string, error: string): number {
      return db.transaction(() =>
        rows.reduce((n, r) => n + retry.run({ id: r.id, owner, next: r.nextAttemptAt, error }).changes, 0),
      )();
    },
    /** Stops retrying rows for good (status failed), if `owner` still holds them. */
    markFailed(ids: readonly number[], owner: string, error: string): number {
      return db.transaction(() => ids.reduce((n, id) => n + giveUp.run({ id, owner, error }).changes, 0))();
    },
    /** Gives rows back untried (no attempt counted), if `owner` still holds them. */
    release(ids: readonly number[], owner: string): number {
      return db.transaction(() => ids.reduce((n, id) => n + unlease.run({ id, owner }).changes, 0))();
    },
    /** The owners holding leases on pending rows, with the rows each holds. */
    leaseHolders(): { owner: string; ids: number[] }[] {
      const rows = db
        .prepare(`SELECT id, lease_owner AS owner FROM outbox WHERE status = 'pending' AND lease_owner IS NOT NULL`)
        .all() as { id: number; owner: string }[];
      const byOwner = new Map<string, number[]>();
      for (const r of rows) byOwner.set(r.owner, [...(byOwner.get(r.owner) ?? []), r.id]);
      return [...byOwner].map(([owner, ids]) => ({ owner, ids }));
    },
    get(id: number): OutboxRow | undefined {
      const raw = byId.get(id);
      return raw && outboxRowOf(raw);
    },
    /** The first `limit` rows by id, for inspection. */
    list(limit = 1000): OutboxRow[] {
      return list.all(limit).map(outboxRowOf);
    },
    /** Number of rows per status. */
    counts(): Record<OutboxStatus, number> {
      const out: Record<OutboxStatus, number> = { pending: 0, delivered: 0, failed: 0 };
      for (const { status, n } of counts.all()) out[status as OutboxStatus] = n;
      return out;
    },
    /**
     * Gives up rows queued before `before` for channels not in `channels` (a destination removed
     * from the config): no worker will ever send them.
     */
    dropOrphans(channels: readonly string[], before: number, error: string): number {
      return orphans.run({ channels: JSON.stringify(channels), before, error }).changes;
    },
    /** Deletes delivered and failed rows created before `before`; pending rows are never pruned. */
    prune(before: number): number {
      return purge.run(before).changes;
    },
  };
}

export type OutboxStore = ReturnType<typeof createOutboxStore>;
