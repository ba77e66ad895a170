/**
 * Where the pool connects (`SshTarget`) and how a node's `ssh` settings (config shape) become one.
 * Kept apart from the pool so the connect settings can read it without importing the pool.
 */

/** Where and how to reach one node. */
export interface SshTarget {
  /** Node name, used in messages and as the pool key. */
  name: string;
  host: string;
  port: number;
  user: string;
  privateKey?: string | Buffer;
  privateKeyFile?: string;
  passphrase?: string;
  /** true: use $SSH_AUTH_SOCK; a string: that agent socket. */
  agent?: boolean | string;
  /** Pinned host key, `SHA256:...` as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint: string;
  /** Handshake deadline; default 10 s. */
  connectTimeoutMs?: number;
}

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
