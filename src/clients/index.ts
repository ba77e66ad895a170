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

/** Closes the SSH pool; the Proxmox agent's idle keep-alive sockets close on their own timeout. */
export async function closeClients(clients: InfraClients): Promise<void> {
  await clients.ssh?.close();
}
