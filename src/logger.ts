/**
 * The process logger: pino to stderr (stdout belongs to MCP stdio and to command output), with
 * secrets scrubbed. On a terminal the lines are formatted for people by pino-pretty, in process
 * (a stream, not a worker transport, so nothing is lost when a command exits right after logging);
 * otherwise, or when asked, one JSON object per line for log collectors.
 */
import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { LogFormat, LogLevel } from './config/types.js';
import { createRedactor } from './safety/redact.js';

/** Whether `format` means readable lines for a stream that is (`isTty`) or is not a terminal. */
export function prettyLogs(format: LogFormat, isTty: boolean): boolean {
  return format === 'pretty' || (format === 'auto' && isTty);
}

/**
 * Creates a logger writing to stderr; every known secret value is replaced in messages and fields.
 * `format` auto (default) is readable on a terminal and JSON otherwise.
 */
export function createLogger(level: LogLevel, secrets: readonly string[] = [], format: LogFormat = 'auto'): Logger {
  const redact = createRedactor(secrets);
  const pretty = prettyLogs(format, process.stderr.isTTY === true);
  return pino(
    {
      level,
      base: { name: 'vigil' },
      hooks: {
        // Scrub everything that reaches a log line, whatever the call site passed.
        logMethod(args, method) {
          method.apply(this, args.map((a) => redact(a)) as Parameters<typeof method>);
        },
      },
    },
    pretty
      ? prettyStream()({
          destination: 2,
          sync: true,
          colorize: process.stderr.isTTY === true,
          translateTime: 'HH:MM:ss',
          ignore: 'pid,hostname,name',
          // One line per entry, so log lines interleave cleanly with the demo's event lines.
          singleLine: true,
        })
      : pino.destination(2),
  );
}

/**
 * pino-pretty, loaded only when lines are formatted for people: a daemon logging JSON never holds
 * it. Loaded synchronously (it is CommonJS) because the logger is made synchronously.
 */
function prettyStream(): typeof PinoPretty {
  return createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
}
