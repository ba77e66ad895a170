/** The process logger: pino to stderr (stdout belongs to MCP stdio), with secrets scrubbed. */
import pino, { type Logger } from 'pino';
import type { LogLevel } from './config/types.js';
import { createRedactor } from './safety/redact.js';

/** Creates a logger writing JSON lines to stderr; every known secret value is replaced in messages and fields. */
export function createLogger(level: LogLevel, secrets: readonly string[] = []): Logger {
  const redact = createRedactor(secrets);
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
    pino.destination(2),
  );
}
