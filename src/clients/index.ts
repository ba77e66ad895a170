/** Builds the clients the config sets up; each is absent when its section is missing. */
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/types.js';
import type { InfraClients } from '../mcp/deps.js';
import { proxmoxClientFromConfig } from './proxmox/index.js';
import { createSshPool } from './ssh/index.js';
import { createWolSender } from './wol.js';
import { createHttpProber } from './http-probe.js';

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
