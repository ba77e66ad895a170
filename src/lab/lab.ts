/**
 * The shape of a running lab and of the services started beside its API simulator. Kept apart
 * from `startLab` so those services (SSH nodes, WoL listeners) can name it without importing the
 * module that starts them.
 */
import type { LabState } from './state.js';

/** Where a lab node can be reached besides the Proxmox API; extra services fill the ports. */
export interface LabNodeInfo {
  name: string;
  mac: string;
  sshPort?: number;
  /** `SHA256:...` of the node's SSH host key, for `nodes[].ssh.hostKeyFingerprint`. */
  hostKeyFingerprint?: string;
  wolPort?: number;
}

/** A service started beside the API simulator (SSH servers, WoL listeners, ...). */
export interface LabExtraService {
  close(): Promise<void>;
}

/**
 * Starts one extra service against a running lab. It may call `lab.setNodeInfo` to publish ports.
 * Failures abort `startLab` (and close what was started).
 */
export type LabExtraServiceFactory = (lab: Lab) => Promise<LabExtraService>;

export interface Lab {
  /** `https://127.0.0.1:PORT` — the Proxmox API base is `${url}/api2/json`. */
  url: string;
  /** SHA-256 fingerprint of the API's server certificate, `AA:BB:...`. */
  fingerprint: string;
  /** PEM of the lab CA that issued the API certificate. */
  caPem: string;
  /** A token with every privilege. */
  token: { id: string; secret: string };
  /** A valid token with no privileges (403 on everything that checks one). */
  noPrivToken: { id: string; secret: string };
  state: LabState;
  /** Per-node reachability: MAC, and SSH/WoL ports once the extra services published them. */
  nodesInfo(): LabNodeInfo[];
  setNodeInfo(name: string, patch: Partial<Omit<LabNodeInfo, 'name' | 'mac'>>): void;
  /** The key the SSH nodes accept (OpenSSH private key PEM and public line), once they run. */
  sshClientKey?: { privateKey: string; publicKey: string };
  close(): Promise<void>;
}
