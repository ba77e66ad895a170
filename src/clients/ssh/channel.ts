/**
 * One command on an open SSH channel: output collected up to a cap, a deadline and an abort
 * signal that stop it, and a stop that kills the remote process before closing the channel.
 * Which connection the channel belongs to is connections.ts's concern.
 */
import type { ClientChannel } from 'ssh2';
import type { Logger } from 'pino';
import { SshError } from './errors.js';

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

export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/** The error of a command (or a wait for one) on `node` that its caller aborted. */
export function abortError(node: string): SshError {
  return new SshError('aborted', `ssh command on ${node} was aborted`);
}

/**
 * Collects the command's output on `stream` until the channel closes; rejects with a timeout or
 * abort SshError when the deadline or the signal stopped it. `started` is when the caller began,
 * so `durationMs` includes connecting.
 */
export function runOnChannel(
  deps: { logger: Logger; now: () => number },
  node: string,
  stream: ClientChannel,
  opts: ExecOptions,
  started: number,
): Promise<ExecResult> {
  const { logger, now } = deps;
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
        logger.debug({ node }, 'ssh signal request failed; closing the channel');
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
      failure ??= abortError(node);
      stop();
    };
    const timer = setTimeout(() => {
      failure ??= new SshError(
        'timeout',
        `command on ${node} did not finish within ${opts.timeoutMs} ms and was killed`,
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
