/** The one explicit list of every tool vigil offers (STYLE §2). No registration by import side effect. */
import type { ToolDefinition } from '../tool.js';
import { controlTools } from './control.js';
import { historyTools } from './history.js';

/** All tools, in the order tools/list shows them. */
export function allTools(): ToolDefinition[] {
  return [...historyTools, ...controlTools];
}
