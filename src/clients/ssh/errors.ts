/**
 * SSH failures as clear, typed errors, and host-key fingerprints in the form `ssh-keygen -lf` prints.
 */
import { createHash } from 'node:crypto';

/** Closed vocabulary of SSH failure kinds, for callers that decide on them (node.unreachable). */
export const SSH_ERROR_CODES = [
  'host_key',
  'auth',
  'refused',
  'unreachable',
  'connect_timeout',
  'timeout',
  'aborted',
  'channel',
  'config',
] as const;
export type SshErrorCode = (typeof SSH_ERROR_CODES)[number];

/** A failed SSH operation; `message` says what failed and what to do about it. */
export class SshError extends Error {
  constructor(
    readonly code: SshErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SshError';
  }
}

/** The host presented another key than the pinned one: carries it, for the remedy to quote. */
export class SshHostKeyError extends SshError {
  constructor(
    message: string,
    /** The fingerprint the host presented, `SHA256:...`. */
    readonly presented: string,
  ) {
    super('host_key', message);
    this.name = 'SshHostKeyError';
  }
}

/** `SHA256:` + unpadded base64 of the SHA-256 of the raw public key blob, as OpenSSH prints it. */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The message for an unknown or changed host key: it shows the fingerprint to configure. */
export function hostKeyMismatchMessage(node: string, where: string, actual: string, expected: string): string {
  return (
    `host key for ${node} (${where}) is ${actual}; expected ${expected || '(none configured)'} — ` +
    `if the host was reinstalled, set nodes[${node}].ssh.hostKeyFingerprint to ${actual}`
  );
}

interface Ssh2Error extends Error {
  code?: string;
  level?: string;
}

/** Maps an ssh2 / socket error from connecting to `node` into an SshError with a clear message. */
export function mapConnectError(err: unknown, node: string, user: string, where: string): SshError {
  if (err instanceof SshError) return err;
  const e = (err instanceof Error ? err : new Error(String(err))) as Ssh2Error;
  switch (e.code) {
    case 'ECONNREFUSED':
      return new SshError(
        'refused',
        `connection refused by ${node} (${where}): is sshd running there and the port right?`,
      );
    case 'ECONNRESET':
      return new SshError(
        'refused',
        `${node} (${where}) reset the connection: sshd may be down or refusing this client`,
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new SshError('unreachable', `${node} (${where}) is unreachable: ${e.code}`);
  }
  if (e.level === 'client-authentication') {
    return new SshError(
      'auth',
      `authentication failed for ${user}@${node} (${where}): the server accepted none of the configured keys; ` +
        `check nodes[${node}].ssh.user, the key and the host's authorized_keys`,
    );
  }
  if (e.level === 'client-timeout') {
    return new SshError('connect_timeout', `timed out connecting to ${node} (${where}): no SSH handshake`);
  }
  // ssh2 reports an unusable private key with no code or level, only in words: this is the one
  // place its text is read, to give our own code ('config') that everything else switches on.
  if (/passphrase|Cannot parse privateKey|Unsupported key format/i.test(e.message)) {
    return new SshError('config', `cannot use the private key for ${node}: ${e.message}`);
  }
  return new SshError('unreachable', `ssh to ${node} (${where}) failed: ${e.message}`);
}
