/**
 * The shape of a tool: one declaration object (DESIGN §2). Handlers get their dependencies
 * through `ctx`; they never import clients or the database themselves.
 */
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { AutonomyLevel, CallerKind, Tier } from '../safety/tiers.js';
import type { ToolDeps } from './deps.js';

/** Who called executeTool. `sessionId` binds approvals to one MCP session. */
export interface Caller {
  kind: CallerKind;
  /** Stable id of the caller: MCP client name, "operator", or "monitor". */
  id: string;
  /** MCP session id (HTTP) or the process-wide stdio session; absent for monitor calls. */
  sessionId?: string;
  /** Monitor calls only: the runbook acting and what it declares. */
  runbook?: { name: string; requiredLevel: AutonomyLevel; allowRed: boolean };
}

/** What a tool touches, for protection, blast radius and the audit log. */
export interface ToolTarget {
  node?: string;
  vmid?: number;
  service?: string;
}

/** What a handler returns: text for the assistant and, where it helps, structured data. */
export interface ToolOutput {
  text: string;
  data?: Record<string, unknown>;
}

/** Everything a handler may use. */
export interface ToolContext {
  caller: Caller;
  /** Aborted on deadline or shutdown; pass it to every request the handler makes. */
  signal: AbortSignal;
  logger: Logger;
  deps: ToolDeps;
  /**
   * Re-checks the kill switch against the stored state. Call it immediately before the first
   * mutating request: a switch flipped between the gate and the action must win.
   * Throws a ToolFailure when the action is no longer allowed.
   */
  assertMayAct(): void;
}

/** Whether a tool acts on infrastructure or controls vigil itself (kill switch, autonomy, approvals). */
export const TOOL_KINDS = ['infra', 'control'] as const;
export type ToolKind = (typeof TOOL_KINDS)[number];

// The generic parameter is the zod object of the input; handlers see its parsed type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface ToolDefinition<S extends z.ZodObject<any> = z.ZodObject<any>> {
  name: string;
  title: string;
  description: string;
  /** The highest tier the tool can have; drives its MCP annotations. */
  tier: Tier;
  kind: ToolKind;
  input: S;
  /** Tier of one particular call when it depends on the arguments (turning the kill switch off is red). */
  tierFor?: (args: z.infer<S>) => Tier;
  /** Callers allowed at all; default every caller. */
  callers?: readonly CallerKind[];
  /** Deadline for one call; default from config `safety.toolTimeoutSeconds`. */
  timeoutMs?: number;
  target(args: z.infer<S>): ToolTarget;
  /** In words, what the call would do: shown for dry runs, confirmations and approvals. */
  plan(args: z.infer<S>): string;
  handler(args: z.infer<S>, ctx: ToolContext): Promise<ToolOutput>;
}

/** Declares a tool with its argument types inferred from the input schema. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function defineTool<S extends z.ZodObject<any>>(def: ToolDefinition<S>): ToolDefinition {
  return def as unknown as ToolDefinition;
}

/** Effective tier of one call. */
export function callTier(tool: ToolDefinition, args: Record<string, unknown>): Tier {
  return tool.tierFor ? tool.tierFor(args) : tool.tier;
}
