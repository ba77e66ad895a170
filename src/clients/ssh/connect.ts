/** How the pool connects to one node: credentials, keepalive and host-key pinning. */
import { readFile } from 'node:fs/promises';
import type { ConnectConfig } from 'ssh2';
import type { Logger } from 'pino';
import { hostKeyMismatchMessage, sshFingerprint, SshError, SshHostKeyError } from './errors.js';
import type { SshTarget } from './target.js';

/**
 * ssh2 connect settings for a target: credentials read here, keepalive, and a host verifier
 * that accepts only the pinned fingerprint and reports a mismatch through `onHostKeyError`.
 */
export async function connectConfig(
  t: SshTarget,
  deps: { logger: Logger; keepaliveIntervalMs?: number | undefined },
  onHostKeyError: (e: SshError) => void,
): Promise<ConnectConfig> {
  const { logger } = deps;
  const where = `${t.host}:${t.port}`;
  let privateKey = t.privateKey;
  if (privateKey === undefined && t.privateKeyFile) {
    try {
      privateKey = await readFile(t.privateKeyFile);
    } catch (err) {
      throw new SshError(
        'config',
        `cannot read the private key for ${t.name} (${t.privateKeyFile}): ${(err as Error).message}`,
      );
    }
  }
  const agent = t.agent === true ? process.env.SSH_AUTH_SOCK : t.agent || undefined;
  if (privateKey === undefined && !agent) {
    throw new SshError('config', `no SSH credentials for ${t.name}: set nodes[${t.name}].ssh.privateKeyFile or agent`);
  }
  return {
    host: t.host,
    port: t.port,
    username: t.user,
    privateKey,
    passphrase: t.passphrase,
    agent,
    readyTimeout: t.connectTimeoutMs ?? 10_000,
    keepaliveInterval: deps.keepaliveIntervalMs ?? 15_000,
    keepaliveCountMax: 3,
    hostVerifier: (key: Buffer): boolean => {
      const actual = sshFingerprint(key);
      if (actual === t.hostKeyFingerprint) return true;
      const msg = hostKeyMismatchMessage(t.name, where, actual, t.hostKeyFingerprint);
      logger.warn({ node: t.name, actual, expected: t.hostKeyFingerprint }, 'ssh host key refused');
      onHostKeyError(new SshHostKeyError(msg, actual));
      return false;
    },
  };
}
