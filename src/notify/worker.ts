/**
 * The delivery worker: claims due outbox rows under a lease, sends them (escalations first, reports
 * folded into one digest per channel), marks them delivered, and on failure schedules a retry with
 * capped exponential backoff and publishes `notification.failed`. Channels are sent in parallel;
 * messages of one channel one after the other. Any number of processes may run one on the same
 * database: the lease makes each row theirs alone while they try it.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { OutboxRow } from '../db/outbox.js';
import type { OutboxPort } from '../db/ports.js';
import type { NewEvent } from '../contracts/events.js';
import { buildMessages, type OutgoingMessage } from './message.js';
import type { Sender } from './senders.js';
import { serialized } from '../util/serialized.js';

export interface RetryPolicy {
  /** Delay after the first failure; doubled after each further one. */
  initialMs: number;
  maxMs: number;
  /** A row still undelivered this long after it was queued is given up (status failed). */
  giveUpMs: number;
}

export interface DeliveryOptions {
  /** Reports to one channel go out at most once per this many ms. */
  digestMs: number;
  retry: RetryPolicy;
  /** How long a claim holds rows; well above a sender's timeout. */
  leaseMs: number;
  /** How often the worker looks for due rows when nothing wakes it. */
  pollMs: number;
}

export interface DeliveryResult {
  /** Messages the peers accepted, and the rows they carried. */
  sent: number;
  delivered: number;
  /** Messages that failed this cycle (their rows wait for a retry or were given up). */
  failed: number;
  givenUp: number;
}

/** Delay before the next attempt after `failures` failed ones: initial · 2^(failures−1), capped. */
export function retryDelayMs(failures: number, retry: Pick<RetryPolicy, 'initialMs' | 'maxMs'>): number {
  const exponent = Math.max(0, Math.min(failures - 1, 40));
  return Math.min(retry.maxMs, retry.initialMs * 2 ** exponent);
}

export interface DeliveryWorkerDeps {
  outbox: OutboxPort;
  senders: readonly Sender[];
  now(): number;
  logger: Logger;
  bus?: { publish(event: NewEvent): unknown };
  options: DeliveryOptions;
  /** Unique per worker; default host, pid and a random part. */
  owner?: string;
}

/** Creates a worker; nothing runs until `runOnce()` or `start()`. */
export function createDeliveryWorker(deps: DeliveryWorkerDeps) {
  const owner = deps.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const senders = new Map(deps.senders.map((s) => [s.channel, s]));
  const { options, outbox, logger } = deps;

  const publish = async (event: NewEvent): Promise<void> => {
    try {
      await deps.bus?.publish(event);
    } catch (err) {
      // The event is a report about delivery; failing to store it must not stop delivery itself.
      logger.error({ err }, 'could not publish notification event');
    }
  };

  const fail = async (
    sender: Sender,
    msg: OutgoingMessage,
    rows: OutboxRow[],
    error: string,
    result: DeliveryResult,
  ): Promise<void> => {
    const at = deps.now();
    const expired = rows.filter((r) => at - r.createdAt >= options.retry.giveUpMs);
    const retrying = rows.filter((r) => !expired.includes(r));
    const retries = retrying.map((r) => ({
      id: r.id,
      nextAttemptAt: at + retryDelayMs(r.attempts + 1, options.retry),
    }));
    await outbox.markRetry(retries, owner, error);
    await outbox.markFailed(
      expired.map((r) => r.id),
      owner,
      error,
    );
    result.failed += 1;
    result.givenUp += expired.length;
    const label = sender.label;
    const next = retries.length ? Math.min(...retries.map((r) => r.nextAttemptAt)) : null;
    logger.warn(
      { destination: label, outboxIds: msg.ids, kind: msg.kind, error, nextAttemptAt: next },
      'notification delivery failed',
    );
    await publish({
      type: 'notification.failed',
      severity: expired.length ? 'critical' : 'warning',
      title: `${expired.length ? 'Notification dropped' : 'Notification not delivered yet'}: ${msg.subject}`.slice(
        0,
        300,
      ),
      message: next === null ? `${error}; giving up` : `${error}; next attempt at ${new Date(next).toISOString()}`,
      ...(msg.incidentKeys.length === 1 && { incidentKey: msg.incidentKeys[0] }),
      data: {
        destination: label,
        kind: msg.kind,
        outboxIds: msg.ids,
        attempts: Math.max(...rows.map((r) => r.attempts + 1)),
        nextAttemptAt: next,
        givenUp: expired.map((r) => r.id),
      },
    });
  };

  /** Sends one channel's claimed rows in order; after a failure, the rest go back untried. */
  const drainChannel = async (
    sender: Sender,
    rows: OutboxRow[],
    claimedAt: number,
    result: DeliveryResult,
  ): Promise<void> => {
    const byId = new Map(rows.map((r) => [r.id, r]));
    const messages = buildMessages(rows);
    for (const [i, msg] of messages.entries()) {
      const msgRows = msg.ids.map((id) => byId.get(id)!);
      const rest = messages.slice(i).flatMap((m) => m.ids);
      // A lease about to run out could let another process claim and send the same rows.
      if (deps.now() > claimedAt + options.leaseMs / 2) {
        await outbox.release(rest, owner);
        return;
      }
      try {
        await sender.send(msg);
      } catch (err) {
        await fail(sender, msg, msgRows, err instanceof Error ? err.message : String(err), result);
        await outbox.release(
          messages.slice(i + 1).flatMap((m) => m.ids),
          owner,
        );
        return;
      }
      const marked = await outbox.markDelivered(msg.ids, owner, deps.now());
      if (marked < msg.ids.length) {
        logger.warn(
          { destination: sender.label, outboxIds: msg.ids, marked },
          'sent, but the lease had passed to another worker',
        );
      }
      result.sent += 1;
      result.delivered += marked;
    }
  };

  const cycle = async (): Promise<DeliveryResult> => {
    const result: DeliveryResult = { sent: 0, delivered: 0, failed: 0, givenUp: 0 };
    const now = deps.now();
    const channels = [...senders.keys()];
    const dropped = await outbox.dropOrphans(
      channels,
      now - options.retry.giveUpMs,
      'its destination is no longer configured',
    );
    if (dropped) logger.warn({ dropped }, 'dropped notifications queued for destinations no longer configured');
    const rows = await outbox.claim({ owner, now, leaseMs: options.leaseMs, digestMs: options.digestMs, channels });
    const byChannel = new Map<string, OutboxRow[]>();
    for (const row of rows) byChannel.set(row.channel, [...(byChannel.get(row.channel) ?? []), row]);
    await Promise.all([...byChannel].map(([channel, list]) => drainChannel(senders.get(channel)!, list, now, result)));
    return result;
  };

  /** One claim-and-send cycle at a time; calls made while one waits share it. */
  const cycles = serialized(cycle);
  let timer: NodeJS.Timeout | undefined;
  let wakeScheduled = false;

  /** One claim-and-send cycle. Cycles never overlap; calls made while one waits share it. */
  const runOnce = (): Promise<DeliveryResult> => cycles.run();

  const runLogged = (): void => {
    runOnce().catch((err: unknown) => logger.error({ err }, 'notification delivery cycle failed'));
  };

  /**
   * Rows a process on this host had claimed when it died (SIGKILL, power loss of the VM) go back at
   * once, instead of waiting out a lease that is minutes long; a live holder keeps its rows.
   */
  const reclaimFromDead = async (): Promise<void> => {
    const host = hostname();
    for (const { owner: holder, ids } of await outbox.leaseHolders()) {
      const [h, pid] = holder.split(':');
      if (h !== host || holder === owner || processAlive(Number(pid))) continue;
      const released = await outbox.release(ids, holder);
      if (released) logger.warn({ rows: released, holder }, 'took back notifications claimed by a process that died');
    }
  };

  return {
    owner,
    runOnce,
    /** Polls every `pollMs` and runs at once when woken. */
    start(): void {
      if (timer) return;
      // The first cycle runs after this, so it can claim what was taken back.
      cycles.before(() =>
        reclaimFromDead().catch((err: unknown) =>
          logger.error({ err }, 'taking back notifications of dead processes failed'),
        ),
      );
      timer = setInterval(runLogged, options.pollMs);
      timer.unref();
      runLogged();
    },
    /** Asks for a cycle soon (after the current one): an escalation must not wait for the poll. */
    wake(): void {
      if (!timer || wakeScheduled) return;
      wakeScheduled = true;
      setImmediate(() => {
        wakeScheduled = false;
        // stop() may have run meanwhile: a stopped worker sends nothing (its senders are closed).
        if (timer) runLogged();
      });
    },
    /** Stops polling and waits for the cycle in flight; rows it had not sent stay pending. */
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await cycles.idle();
      for (const s of deps.senders) s.close?.();
    },
  };
}

export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;

/** Whether a process with this pid exists (EPERM: it exists but belongs to someone else). */
function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
