/**
 * The simulated homelab: world model + Proxmox VE API simulator (+ the SSH nodes and WoL
 * listeners that `extraServices` add). One call starts it all on loopback; `close()` ends it.
 */
import { randomUUID } from 'node:crypto';
import { generateLabCertificate } from './cert.js';
import type { LabToken } from './proxmox/api.js';
import { startProxmoxSimulator } from './proxmox/server.js';
import { labSshService } from './ssh-node.js';
import { createLabState, type LabState } from './state.js';
import { labWolService } from './wol-listener.js';

export type { LabToken } from './proxmox/api.js';
export type { LabState } from './state.js';

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

export interface LabOptions {
  /** Number of nodes (pve1..pveN). Default 3. */
  nodes?: number;
  /** Guests per node. Default 4. */
  guests?: number;
  seed?: number;
  /** How long a Proxmox task runs. Default 300 ms. */
  taskMs?: number;
  /** How long a woken node takes to boot. Default 1500 ms. */
  bootMs?: number;
  /** How long the HA manager takes to act. Default 2 × taskMs. */
  haDelayMs?: number;
  now?: () => number;
  /** Delay before each 401 (real pveproxy: 3000 ms). Default 0. */
  authDelayMs?: number;
  /** Tokens the API accepts; default: `root@pam!vigil` (all privileges) and `audit@pve!noprivs` (none). */
  tokens?: LabToken[];
  /** Services to start beside the API, in order. Default: DEFAULT_EXTRA_SERVICES. */
  extraServices?: LabExtraServiceFactory[];
}

/**
 * Services every lab starts unless `extraServices` says otherwise: the place where the SSH nodes
 * and WoL listeners are plugged in.
 */
export const DEFAULT_EXTRA_SERVICES: LabExtraServiceFactory[] = [labSshService, labWolService];

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

/** Starts the lab on 127.0.0.1: world, certificate, API simulator, then the extra services. */
export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  const state = createLabState({
    nodes: opts.nodes ?? 3,
    guestsPerNode: opts.guests ?? 4,
    seed: opts.seed ?? 1,
    now: opts.now,
    taskMs: opts.taskMs,
    bootMs: opts.bootMs,
    haDelayMs: opts.haDelayMs,
  });
  const cert = generateLabCertificate();
  const tokens = opts.tokens ?? [
    { id: 'root@pam!vigil', secret: randomUUID(), privs: ['*'] },
    { id: 'audit@pve!noprivs', secret: randomUUID(), privs: [] },
  ];
  const admin = tokens.find((t) => t.privs.includes('*')) ?? tokens[0];
  const noPriv = tokens.find((t) => t.privs.length === 0) ?? tokens[tokens.length - 1];
  if (!admin || !noPriv) throw new Error('startLab needs at least one token');
  const sim = await startProxmoxSimulator({ state, cert, tokens, authDelayMs: opts.authDelayMs ?? 0 });
  const info = new Map<string, LabNodeInfo>(state.listNodes().map((n) => [n.name, { name: n.name, mac: n.mac }]));
  const extras: LabExtraService[] = [];

  const lab: Lab = {
    url: `https://127.0.0.1:${sim.port}`,
    fingerprint: cert.fingerprint,
    caPem: cert.caPem,
    token: { id: admin.id, secret: admin.secret },
    noPrivToken: { id: noPriv.id, secret: noPriv.secret },
    state,
    nodesInfo: () => [...info.values()].map((i) => ({ ...i })),
    setNodeInfo(name, patch) {
      const cur = info.get(name);
      if (!cur) throw new Error(`no such lab node '${name}'`);
      info.set(name, { ...cur, ...patch });
    },
    async close() {
      for (const e of extras.splice(0).reverse()) await e.close();
      state.close();
      await sim.close();
    },
  };
  try {
    for (const factory of opts.extraServices ?? DEFAULT_EXTRA_SERVICES) extras.push(await factory(lab));
  } catch (err) {
    await lab.close();
    throw err;
  }
  return lab;
}
