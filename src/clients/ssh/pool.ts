/**
 * A pool of SSH connections, one per node, for running vigil's remote commands. Host keys are
 * pinned, every command runs under a remote `timeout --signal=KILL`, output is capped, and a
 * command that overruns its deadline is killed on both ends.
 */
import { Client, type ClientChannel } from 'ssh2';
import type { Logger } from 'pino';
import { remoteTimeoutSeconds, wrapWithTimeout, type RemoteCommand } from '../commands/index.js';
import { connectConfig } from './connect.js';
import { mapConnectError, SshError } from './errors.js';
import type { SshTarget } from './target.js';

export interface ExecOptions {
  timeoutMs: number;
  /** Cap on stdout + stderr; default 1 MiB. Past it the command is stopped and `truncated` set. */
  maxOutputBytes?: number;
  signal?: AbortSignal;
}

export interface ExecResult {
  /** Exit status; null when the command died by a signal or was stopped at the output cap. */
  exitCode: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
  truncated: boolean;
  durationMs: number;
}

export interface SshPool {
  /** Runs one built command on the target. Throws SshError for connection failures, timeout or abort. */
  exec(target: SshTarget, command: RemoteCommand, options: ExecOptions): Promise<ExecResult>;
  /** Closes every connection. */
  close(): Promise<void>;
}

export interface SshPoolDeps {
  logger: Logger;
  now?: () => number;
  /** Keepalive probe interval; a connection that misses 3 is dropped. Default 15 s. */
  keepaliveIntervalMs?: number;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
// OpenSSH's MaxSessions defaults to 10 channels per connection; stay under it.
const MAX_CHANNELS = 8;

interface Conn {
  identity: string;
  client: Client;
  ready: Promise<void>;
  closed: boolean;
  active: number;
  waiters: (() => void)[];
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

function abortError(node: string): SshError {
  return new SshError('aborted', `ssh command on ${node} was aborted`);
}

/** Creates the pool. Connections open lazily on first use and reopen on the next call after a drop. */
export function createSshPool(deps: SshPoolDeps): SshPool {
  const { logger } = deps;
  const now = deps.now ?? Date.now;
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

  function release(conn: Conn): void {
    conn.active--;
    conn.waiters.shift()?.();
  }

  function openChannel(conn: Conn, line: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      try {
        conn.client.exec(line, (err, stream) => (err ? reject(err) : resolve(stream)));
      } catch (err) {
        reject(err as Error);
      }
    });
  }

  function run(t: SshTarget, stream: ClientChannel, opts: ExecOptions, started: number): Promise<ExecResult> {
    const cap = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let used = 0;
      let truncated = false;
      let exitCode: number | null = null;
      let exitSignal: string | undefined;
      let failure: SshError | undefined;

      const stop = (): void => {
        // Ask sshd to KILL the process, then close the channel; the remote `timeout` wrapper
        // is the backstop when the server ignores signal requests.
        try {
          stream.signal('KILL');
        } catch {
          logger.debug({ node: t.name }, 'ssh signal request failed; closing the channel');
        }
        stream.close();
      };
      const take = (sink: Buffer[]) => (chunk: Buffer) => {
        if (truncated) return;
        const room = cap - used;
        if (chunk.length > room) {
          sink.push(chunk.subarray(0, room));
          used = cap;
          truncated = true;
          stop();
          return;
        }
        sink.push(chunk);
        used += chunk.length;
      };
      const onAbort = (): void => {
        failure ??= abortError(t.name);
        stop();
      };
      const timer = setTimeout(() => {
        failure ??= new SshError(
          'timeout',
          `command on ${t.name} did not finish within ${opts.timeoutMs} ms and was killed`,
        );
        stop();
      }, opts.timeoutMs);
      opts.signal?.addEventListener('abort', onAbort, { once: true });

      stream.on('data', take(out));
      stream.stderr.on('data', take(err));
      stream.on('exit', (code: number | null, sig?: string) => {
        exitCode = typeof code === 'number' ? code : null;
        if (sig) exitSignal = sig;
      });
      stream.on('close', () => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (failure) return reject(failure);
        resolve({
          exitCode: truncated ? null : exitCode,
          ...(exitSignal && !truncated ? { signal: exitSignal } : {}),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          truncated,
          durationMs: now() - started,
        });
      });
    });
  }

  async function exec(t: SshTarget, command: RemoteCommand, opts: ExecOptions): Promise<ExecResult> {
    if (opts.signal?.aborted) throw abortError(t.name);
    // A closed pool opens nothing: a late caller's fresh connection would keep the process alive.
    if (shut) throw new SshError('aborted', `SSH to ${t.name} refused: the SSH client is closed (vigil is stopping)`);
    const started = now();
    const line = wrapWithTimeout(command, remoteTimeoutSeconds(opts.timeoutMs));
    for (let attempt = 0; ; attempt++) {
      const { conn, fresh } = connFor(t);
      // The listener goes once the handshake settles: callers (the monitor) share long-lived signals.
      let onAbort = (): void => undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(abortError(t.name));
        opts.signal?.addEventListener('abort', onAbort, { once: true });
      });
      aborted.catch(() => undefined);
      try {
        await Promise.race([conn.ready, aborted]);
      } finally {
        opts.signal?.removeEventListener('abort', onAbort);
      }
      await acquire(conn, opts.signal);
      try {
        let stream: ClientChannel;
        try {
          stream = await openChannel(conn, line);
        } catch (err) {
          // A pooled connection that died silently fails here before anything ran: reconnect once.
          conn.closed = true;
          conn.client.end();
          if (conns.get(t.name) === conn) conns.delete(t.name);
          if (!fresh && attempt === 0) continue;
          throw new SshError('channel', `cannot run a command on ${t.name}: ${(err as Error).message}`);
        }
        logger.debug({ node: t.name, kind: command.spec.kind }, 'ssh exec');
        return await run(t, stream, opts, started);
      } finally {
        release(conn);
      }
    }
  }

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

  return { exec, close };
}
