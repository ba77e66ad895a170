/**
 * The shape of a tool: one declaration object (docs/ARCHITECTURE.md §2). Handlers get their dependencies
 * through `ctx`; they never import clients or the database themselves.
 */
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { Caller, CallerKind, Tier, ToolKind, ToolTarget } from '../contracts/tiers.js';
import type { ToolDeps } from './deps.js';

/**
 * What a handler returns: text for the assistant and data of the tool's output schema (what MCP
 * clients receive as structuredContent). `TData` is inferred from the tool's `output`.
 */
export interface ToolOutput<TData extends Record<string, unknown> = Record<string, unknown>> {
  text: string;
  data: TData;
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
  assertMayAct(): Promise<void>;
}

/** Any zod object: tool inputs and outputs are objects (MCP's inputSchema and outputSchema are). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ObjectSchema = z.ZodObject<any>;

/** The data a tool's successful call returns, as its output schema declares it. */
export type ToolData<O extends ObjectSchema> = z.infer<O>;

// `S` is the zod object of the input, `O` that of the output: handlers see the parsed arguments
// and must return data of the output's type: a missing field or a wrong type fails typecheck. (A field
// the schema does not declare passes tsc; test/e2e/tools-outputs.test.ts checks every tool against its schema and catches it.)
export interface ToolDefinition<S extends ObjectSchema = ObjectSchema, O extends ObjectSchema = ObjectSchema> {
  name: string;
  title: string;
  description: string;
  /** The highest tier the tool can have; drives its MCP annotations. */
  tier: Tier;
  kind: ToolKind;
  input: S;
  /**
   * The structured data of a successful call. Field descriptions are read by models, so they say
   * what a value means and its unit; closed vocabularies are enums. No defaults or transforms:
   * what a handler returns is exactly what the schema parses.
   */
  output: O;
  /** Tier of one particular call when it depends on the arguments (turning the kill switch off is red). */
  tierFor?: (args: z.infer<S>) => Tier;
  /** Callers allowed at all; default every caller. */
  callers?: readonly CallerKind[];
  /** Deadline for one call; default from config `safety.toolTimeoutSeconds`. */
  timeoutMs?: number;
  /**
   * A repeat with the same arguments changes nothing more (a start of a running guest): shown as
   * MCP's idempotentHint. Read-only tools are idempotent without saying so.
   */
  idempotent?: boolean;
  target(args: z.infer<S>): ToolTarget;
  /** In words, what the call would do: shown for dry runs, confirmations and approvals. */
  plan(args: z.infer<S>): string;
  handler(args: z.infer<S>, ctx: ToolContext): Promise<ToolOutput<ToolData<O>>>;
}

/**
 * Declares a tool with its argument type inferred from the input schema and its data type from
 * the output schema. The input type is erased so every tool fits one list; the output type is
 * kept, so a caller holding the declaration (a runbook reading `cleanup_disk`'s freed bytes)
 * reads typed fields through `toolData`.
 */
export function defineTool<S extends ObjectSchema, O extends ObjectSchema>(
  def: ToolDefinition<S, O>,
): ToolDefinition<ObjectSchema, O> {
  return def as unknown as ToolDefinition<ObjectSchema, O>;
}

/**
 * The typed data of one result of `tool`, or undefined when `data` is not that tool's success data
 * (a refusal, a pending approval, a dry run of the pipeline, an error).
 */
export function toolData<O extends ObjectSchema>(
  tool: Pick<ToolDefinition<ObjectSchema, O>, 'output'>,
  data: unknown,
): ToolData<O> | undefined {
  const parsed = tool.output.safeParse(data);
  return parsed.success ? parsed.data : undefined;
}

/** Effective tier of one call. */
export function callTier(tool: ToolDefinition, args: Record<string, unknown>): Tier {
  return tool.tierFor ? tool.tierFor(args) : tool.tier;
}
