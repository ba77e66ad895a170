/**
 * A pool of SSH connections, one per node, for running vigil's remote commands. Host keys are
 * pinned, every command runs under a remote `timeout --signal=KILL`, output is capped, and a
 * command that overruns its deadline is killed on both ends. This module runs one command end to
 * end; the connections are connections.ts, the command on its channel channel.ts.
 */
import type { ClientChannel } from 'ssh2';
import type { Logger } from 'pino';
import { remoteTimeoutSeconds, wrapWithTimeout, type RemoteCommand } from '../commands/index.js';
import { SshError } from './errors.js';
import type { SshTarget } from './target.js';
import { abortError, runOnChannel, type ExecOptions, type ExecResult } from './channel.js';
import { createConnections } from './connections.js';

export { DEFAULT_MAX_OUTPUT_BYTES, type ExecOptions, type ExecResult } from './channel.js';

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

/** Creates the pool. Connections open lazily on first use and reopen on the next call after a drop. */
export function createSshPool(deps: SshPoolDeps): SshPool {
  const { logger } = deps;
  const now = deps.now ?? Date.now;
  const connections = createConnections({ logger, keepaliveIntervalMs: deps.keepaliveIntervalMs });

  async function exec(t: SshTarget, command: RemoteCommand, opts: ExecOptions): Promise<ExecResult> {
    if (opts.signal?.aborted) throw abortError(t.name);
    // A closed pool opens nothing: a late caller's fresh connection would keep the process alive.
    if (connections.isClosed())
      throw new SshError('aborted', `SSH to ${t.name} refused: the SSH client is closed (vigil is stopping)`);
    const started = now();
    const line = wrapWithTimeout(command, remoteTimeoutSeconds(opts.timeoutMs));
    for (let attempt = 0; ; attempt++) {
      const { conn, fresh } = connections.connFor(t);
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
      await connections.acquire(conn, opts.signal);
      try {
        let stream: ClientChannel;
        try {
          stream = await connections.openChannel(conn, line);
        } catch (err) {
          // A pooled connection that died silently fails here before anything ran: reconnect once.
          connections.discard(t, conn);
          if (!fresh && attempt === 0) continue;
          throw new SshError('channel', `cannot run a command on ${t.name}: ${(err as Error).message}`);
        }
        logger.debug({ node: t.name, kind: command.spec.kind }, 'ssh exec');
        return await runOnChannel({ logger, now }, t.name, stream, opts, started);
      } finally {
        connections.release(conn);
      }
    }
  }

  return { exec, close: connections.close };
}
