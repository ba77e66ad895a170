/** Builds the clients the config sets up; each is absent when its section is missing. */
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/types.js';
import { proxmoxClientFromConfig, type ProxmoxClient } from './proxmox/index.js';
import { createSshPool, type SshPool } from './ssh/index.js';
import { createWolSender, type WolSender } from './wol.js';
import { createHttpProber, type HttpProber } from './http-probe.js';

/** The clients that talk to the world. Each is absent when the config does not set it up. */
export interface InfraClients {
  proxmox?: ProxmoxClient;
  ssh?: SshPool;
  wol?: WolSender;
  http?: HttpProber;
}

/** Creates every configured client. */
export function createClients(config: VigilConfig, logger: Logger): InfraClients {
  const clients: InfraClients = { http: createHttpProber() };
  const proxmox = proxmoxClientFromConfig(config.proxmox, logger);
  if (proxmox) clients.proxmox = proxmox;
  if (config.nodes.some((node) => node.ssh)) clients.ssh = createSshPool({ logger });
  if (config.nodes.some((node) => node.wol)) clients.wol = createWolSender({ logger });
  return clients;
}

/** Closes what holds connections open: the Proxmox agent's keep-alive sockets and the SSH pool. */
export async function closeClients(clients: InfraClients): Promise<void> {
  clients.proxmox?.close();
  await clients.ssh?.close();
}
