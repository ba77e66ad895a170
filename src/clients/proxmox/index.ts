/** The Proxmox VE client: public surface. */
import type { Logger } from 'pino';
import type { VigilConfig } from '../../config/types.js';
import { createProxmoxClient, type ProxmoxClient } from './client.js';

export { createProxmoxClient, GUEST_ACTIONS, NODE_COMMANDS } from './client.js';
export type {
  GuestAction,
  NodeCommand,
  ProxmoxClient,
  ProxmoxClientOptions,
  TaskListQuery,
  WaitOptions,
} from './client.js';
export { ProxmoxError, PROXMOX_ERROR_KINDS, type ProxmoxErrorKind } from './errors.js';
export { normalizeFingerprint, type ProxmoxTlsOptions } from './transport.js';
export type * from './types.js';
export type * from './feature-types.js';
export { parseVzdumpLog, readBackupStates } from './backup-status.js';
export type { BackupArchive, BackupRun, GuestBackupState } from './backup-status.js';

/** Builds the client from the `proxmox:` section of vigil.yaml; undefined when there is none. */
export function proxmoxClientFromConfig(cfg: VigilConfig['proxmox'], logger: Logger): ProxmoxClient | undefined {
  if (!cfg) return undefined;
  return createProxmoxClient({
    url: cfg.url,
    tokenId: cfg.tokenId,
    tokenSecret: cfg.tokenSecret,
    tls: cfg.tls,
    timeoutMs: cfg.timeoutSeconds * 1000,
    logger: logger.child({ component: 'proxmox' }),
  });
}
