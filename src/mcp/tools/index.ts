/** The one explicit list of every tool vigil offers (STYLE §2). No registration by import side effect. */
import type { ToolDefinition } from '../tool.js';
import { clusterTools } from './cluster.js';
import { nodeTools } from './nodes.js';
import { guestTools } from './guests.js';
import { serviceTools } from './services.js';
import { diagnosticTools } from './diagnostics.js';
import { cleanupTools } from './cleanup.js';
import { forecastTools } from './forecast.js';
import { powerTools } from './power.js';
import { httpTools } from './http.js';
import { historyTools } from './history.js';
import { monitorTools } from './monitor.js';
import { controlTools } from './control.js';
import { snapshotTools } from './snapshots.js';
import { backupTools } from './backups.js';
import { agentTools } from './agent.js';
import { haTools } from './ha.js';
import { migrateTools } from './migrate.js';
import { journalTools } from './journal.js';

/** All tools, in the order tools/list shows them. */
export function allTools(): ToolDefinition[] {
  return [
    ...clusterTools,
    ...nodeTools,
    ...guestTools,
    ...serviceTools,
    ...diagnosticTools,
    ...cleanupTools,
    ...forecastTools,
    ...snapshotTools,
    ...backupTools,
    ...agentTools,
    ...haTools,
    ...migrateTools,
    ...journalTools,
    ...powerTools,
    ...httpTools,
    ...historyTools,
    ...monitorTools,
    ...controlTools,
  ];
}
