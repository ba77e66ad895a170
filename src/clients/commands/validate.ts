/**
 * Validation of every variable part of a remote command. A value that fails here never reaches
 * a builder, so it never reaches a shell (quoted or not).
 */
import { posix } from 'node:path';

/** systemd unit names vigil may pass to systemctl/journalctl. */
export const UNIT_NAME = /^[a-zA-Z0-9@._-]+\.(service|socket|timer|target|mount|path)$/;

/** journalctl --vacuum-size values: a number and an optional K/M/G/T suffix. */
export const VACUUM_SIZE = /^[1-9][0-9]{0,5}[KMGT]?$/;

/** A value that failed validation; the message names the value and why. */
export class CommandValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandValidationError';
  }
}

/** Returns the unit name if it is a plain systemd unit name; throws otherwise. */
export function validateUnit(unit: string): string {
  // A leading '-' would read as an option to systemctl even when quoted.
  if (!UNIT_NAME.test(unit) || unit.startsWith('-') || unit.length > 256) {
    throw new CommandValidationError(
      `invalid unit name ${JSON.stringify(unit)}: expected a systemd unit such as nginx.service`,
    );
  }
  return unit;
}

/** Returns `value` if it is an integer within [min, max]; throws otherwise. */
export function validateInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CommandValidationError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** Returns the size if journalctl accepts it as --vacuum-size (e.g. "500M"); throws otherwise. */
export function validateVacuumSize(size: string): string {
  if (!VACUUM_SIZE.test(size)) {
    throw new CommandValidationError(`invalid journal vacuum size ${JSON.stringify(size)}: expected e.g. 500M`);
  }
  return size;
}

/** True when `path` is an absolute, normalized path with no `..` segment. */
function isCleanAbsolute(path: string): boolean {
  if (!path.startsWith('/') || path.includes('\0') || path.includes('\n')) return false;
  if (path.split('/').some((seg) => seg === '..' || seg === '.')) return false;
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return posix.normalize(trimmed) === trimmed;
}

/**
 * Returns the path (without a trailing slash) if it equals or lies under one of the allowlisted
 * directories; throws otherwise. The filesystem root is never a cleanup target.
 */
export function validateAllowedPath(path: string, allowlist: readonly string[]): string {
  if (!isCleanAbsolute(path)) {
    throw new CommandValidationError(`invalid path ${JSON.stringify(path)}: must be absolute, normalized, without ..`);
  }
  const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (p === '/') throw new CommandValidationError('the filesystem root is never a cleanup target');
  const allowed = allowlist.some((entry) => {
    if (!isCleanAbsolute(entry)) return false;
    const a = entry.replace(/\/+$/, '');
    return a !== '' && (p === a || p.startsWith(`${a}/`));
  });
  if (!allowed) {
    throw new CommandValidationError(`path ${p} is not under a configured cleanup path (cleanup.logPaths)`);
  }
  return p;
}

/** Returns the operator's command text if it can be passed to `sh -c`; throws otherwise. */
export function validateCommandText(text: string): string {
  if (text.trim() === '') throw new CommandValidationError('the command is empty');
  if (text.includes('\0')) throw new CommandValidationError('the command contains a NUL byte');
  if (text.length > 8192) throw new CommandValidationError('the command is longer than 8192 characters');
  return text;
}
