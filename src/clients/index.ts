/** Builds the clients the config sets up; each is absent when its section is missing. */
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/types.js';
import type { InfraClients } from '../mcp/deps.js';

/** Creates every configured client. */
export function createClients(_config: VigilConfig, _logger: Logger): InfraClients {
  return {};
}
