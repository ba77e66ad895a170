/**
 * The error classes vigil throws. Their codes and message templates live in one registry,
 * `src/contracts/errors.ts`; code decides, the message is for people.
 */
import { errorMessage, type ErrorArgs, type ErrorCode } from './contracts/errors.js';

/**
 * An operational failure a handler reports: becomes an `isError` result with this message.
 * Handlers describe the failure in their own words (code `ERR_TOOL_FAILED`); a refusal the
 * registry names (the kill switch re-checked right before acting) carries its own code.
 */
export class ToolFailure extends Error {
  readonly code: ErrorCode;

  constructor(message: string, code: ErrorCode = 'ERR_TOOL_FAILED') {
    super(message);
    this.name = 'ToolFailure';
    this.code = code;
  }

  /** A failure with a registry code and that code's message. */
  static of<C extends ErrorCode>(code: C, ...args: ErrorArgs<C>): ToolFailure {
    return new ToolFailure(errorMessage(code, ...args), code);
  }
}

/** A config file that cannot be used; `issues` are one line each, naming the key path and the fix. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: string[],
  ) {
    super(`${file}: ${issues.join('; ')}`);
    this.name = 'ConfigError';
  }
}
