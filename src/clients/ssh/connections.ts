/**
 * The lifecycle of the pool's SSH connections, one per node: opened lazily, replaced when the
 * node's target changes, dropped when they close or fail, at most MAX_CHANNELS commands at once
 * on each (later ones queue), and all closed on shutdown. Running a command is channel.ts's job.
 */
import { Client, type ClientChannel } from 'ssh2';
import type { Logger } from 'pino';
import { connectConfig } from './connect.js';
import { mapConnectError, SshError } from './errors.js';
import type { SshTarget } from './target.js';

// OpenSSH's MaxSessions defaults to 10 channels per connection; stay under it.
const MAX_CHANNELS = 8;

/** One node's connection: `ready` settles with the handshake; `active` counts its open channels. */
export interface Conn {
  identity: string;
  client: Client;
  ready: Promise<void>;
  closed: boolean;
  active: number;
  waiters: (() => void)[];
}

/** What connections are opened with. */
export interface ConnectionsDeps {
  logger: Logger;
  /** Keepalive probe interval; a connection that misses 3 is dropped. Default 15 s. */
  keepaliveIntervalMs?: number | undefined;
}

function identityOf(t: SshTarget): string {
  return JSON.stringify([
    t.host,
    t.port,
    t.user,
    t.hostKeyFingerprint,
    t.privateKeyFile,
    t.agent,
    t.privateKey?.length,
  ]);
}

/** Creates the connection table of one pool. */
export function createConnections(deps: ConnectionsDeps) {
  const { logger } = deps;
  const conns = new Map<string, Conn>();
  let shut = false;

  function open(t: SshTarget): Conn {
    const client = new Client();
    const conn: Conn = {
      identity: identityOf(t),
      client,
      ready: Promise.resolve(),
      closed: false,
      active: 0,
      waiters: [],
    };
    const drop = (): void => {
      conn.closed = true;
      if (conns.get(t.name) === conn) conns.delete(t.name);
    };
    conn.ready = new Promise<void>((resolve, reject) => {
      let hostKeyError: SshError | undefined;
      let settled = false;
      client.once('ready', () => {
        settled = true;
        logger.debug({ node: t.name, host: t.host, port: t.port }, 'ssh connected');
        resolve();
      });
      client.on('error', (err) => {
        if (!settled) {
          settled = true;
          drop();
          reject(hostKeyError ?? mapConnectError(err, t.name, t.user, `${t.host}:${t.port}`));
        } else {
          logger.warn({ node: t.name, err: err.message }, 'ssh connection error');
        }
      });
      client.on('close', () => {
        drop();
        if (!settled) {
          settled = true;
          reject(
            hostKeyError ??
              new SshError('refused', `${t.name} (${t.host}:${t.port}) closed the connection during the handshake`),
          );
        }
        logger.debug({ node: t.name }, 'ssh connection closed');
      });
      connectConfig(t, { logger, keepaliveIntervalMs: deps.keepaliveIntervalMs }, (e) => (hostKeyError = e))
        .then((cfg) => client.connect(cfg))
        .catch((err: unknown) => {
          settled = true;
          drop();
          reject(err);
        });
    });
    // A rejected handshake is reported to the caller that awaits it; no unhandled rejection here.
    conn.ready.catch(() => undefined);
    conns.set(t.name, conn);
    return conn;
  }

  /** The node's live connection for this target, or a new one (`fresh`), retiring an outdated one. */
  function connFor(t: SshTarget): { conn: Conn; fresh: boolean } {
    const existing = conns.get(t.name);
    if (existing && !existing.closed && existing.identity === identityOf(t)) return { conn: existing, fresh: false };
    if (existing) {
      // Config changed (new host key, port...): retire the old connection.
      existing.closed = true;
      existing.client.end();
    }
    return { conn: open(t), fresh: true };
  }

  /** Ends a connection found dead, so the node's next command opens a new one. */
  function discard(t: SshTarget, conn: Conn): void {
    conn.closed = true;
    conn.client.end();
    if (conns.get(t.name) === conn) conns.delete(t.name);
  }

  /** Waits for a free channel on the connection and takes it; an abort leaves the queue at once. */
  async function acquire(conn: Conn, signal?: AbortSignal): Promise<void> {
    while (conn.active >= MAX_CHANNELS) {
      if (signal?.aborted) throw new SshError('aborted', 'aborted while waiting for a free SSH channel');
      // A caller that gives up leaves the queue at once, so a freed channel always wakes a live waiter.
      await new Promise<void>((resolve, reject) => {
        const wake = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = (): void => {
          const at = conn.waiters.indexOf(wake);
          if (at >= 0) conn.waiters.splice(at, 1);
          reject(new SshError('aborted', 'aborted while waiting for a free SSH channel'));
        };
        conn.waiters.push(wake);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    conn.active++;
  }

  /** Gives a channel back and wakes the next waiter. */
  function release(conn: Conn): void {
    conn.active--;
    conn.waiters.shift()?.();
  }

  /** Opens an exec channel running `line` on the connection. */
  function openChannel(conn: Conn, line: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      try {
        conn.client.exec(line, (err, stream) => (err ? reject(err) : resolve(stream)));
      } catch (err) {
        reject(err as Error);
      }
    });
  }

  /** Closes every connection; afterwards `isClosed()` is true and nothing should open another. */
  async function close(): Promise<void> {
    shut = true;
    const all = [...conns.values()];
    conns.clear();
    await Promise.all(
      all.map(
        (c) =>
          new Promise<void>((resolve) => {
            c.closed = true;
            if (!c.client.listenerCount('close')) return resolve();
            c.client.once('close', () => resolve());
            c.client.end();
            setTimeout(resolve, 1000).unref();
          }),
      ),
    );
  }

  return { connFor, discard, acquire, release, openChannel, close, isClosed: () => shut };
}
