/**
 * The simulated homelab: world model + Proxmox VE API simulator (+ the SSH nodes and WoL
 * listeners that `extraServices` add). One call starts it all on loopback; `close()` ends it.
 */
import { randomUUID } from 'node:crypto';
import { generateLabCertificate } from './cert.js';
import type { LabToken } from './proxmox/api.js';
import type { Lab, LabExtraService, LabExtraServiceFactory, LabNodeInfo } from './lab.js';
import { startProxmoxSimulator } from './proxmox/server.js';
import { labSshService } from './ssh-node.js';
import { createLabState } from './state.js';
import { labWolService } from './wol-listener.js';

export type { LabToken } from './proxmox/api.js';
export type { LabState } from './state.js';
export type { Lab, LabExtraService, LabExtraServiceFactory, LabNodeInfo } from './lab.js';

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
