/** Turns a node's `ssh` settings (config shape) into the pool's `SshTarget`. */
import type { SshTarget } from './pool.js';

/** The `nodes[].ssh` settings as the config module produces them. */
export interface NodeSshSettings {
  host: string;
  port: number;
  user: string;
  privateKeyFile?: string;
  passphrase?: string;
  agent: boolean;
  hostKeyFingerprint: string;
  commandTimeoutSeconds: number;
}

/** The pool target for node `name`. */
export function sshTargetFor(name: string, ssh: NodeSshSettings): SshTarget {
  return {
    name,
    host: ssh.host,
    port: ssh.port,
    user: ssh.user,
    hostKeyFingerprint: ssh.hostKeyFingerprint,
    agent: ssh.agent,
    ...(ssh.privateKeyFile ? { privateKeyFile: ssh.privateKeyFile } : {}),
    ...(ssh.passphrase ? { passphrase: ssh.passphrase } : {}),
  };
}
