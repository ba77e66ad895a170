/**
 * Steps 1–2 of executeTool: look the tool up and validate the arguments with its (strict) input
 * schema. A call that fails either never reaches the gate. Over MCP an unknown tool is a protocol
 * error and refused arguments an isError result (src/mcp/tool-contract.ts).
 */
import type { Tier, ToolTarget } from '../../contracts/tiers.js';
import { errorMessage } from '../../contracts/errors.js';
import { describeIssues } from '../../util/zod-issues.js';
import { callTier, type ToolDefinition } from '../tool.js';
import type { ProtocolError } from '../result.js';

/** The argument every red-capable tool accepts to redeem an operator approval. */
export const APPROVAL_ARG = 'approval_id';

/** A call whose tool exists and whose arguments parsed: what the later steps work on. */
export interface AdmittedCall {
  tool: ToolDefinition;
  args: Record<string, unknown>;
  tier: Tier;
  target: ToolTarget;
}

export type Admission = { ok: true; call: AdmittedCall } | { ok: false; refusal: Omit<ProtocolError, 'auditId'> };

/** The raw arguments split into the tool's own and the approval id the caller redeems. */
export interface SplitArgs {
  args: Record<string, unknown>;
  /** The `approval_id` argument when it is a string. */
  approvalId: string | null;
  /** Whether `approval_id` was given but is not a string. */
  badApprovalId: boolean;
  /** What is wrong with the request around the arguments (a malformed MCP envelope), if anything. */
  envelope: string | null;
}

/** How a JSON value is described in an envelope error: "a string", "an array", "null". */
export function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Separates `approval_id` from the tool's arguments. Arguments that are not an object (a string,
 * an array, null), or an `envelope` problem the transport found, make the call invalid; the raw
 * value is kept under `arguments` so the audit row shows what was sent.
 */
export function splitArgs(raw: unknown, envelope: string | null = null): SplitArgs {
  if (raw !== undefined && kindOf(raw) !== 'an object') {
    const problem = envelope ?? `arguments: expected an object, got ${kindOf(raw)}`;
    return { args: { arguments: raw }, approvalId: null, badApprovalId: false, envelope: problem };
  }
  const { [APPROVAL_ARG]: approvalArg, ...args } = (raw ?? {}) as Record<string, unknown>;
  const approvalId = typeof approvalArg === 'string' ? approvalArg : null;
  return { args, approvalId, badApprovalId: approvalArg !== undefined && approvalId === null, envelope };
}

/** Builds the lookup over a fixed list of tools (strict schemas prepared once). */
export function createAdmission(tools: readonly ToolDefinition[]) {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const strictInputs = new Map(tools.map((tool) => [tool.name, tool.input.strict()]));

  function invalid(detail: string): Admission {
    return { ok: false, refusal: protocolError('ERR_INVALID_ARGS', errorMessage('ERR_INVALID_ARGS', detail)) };
  }

  /** Steps 1–2 for one call. */
  function admit(name: string, split: SplitArgs): Admission {
    // A malformed envelope is invalid whatever it names: its name may be the malformed part.
    if (split.envelope !== null) return invalid(split.envelope);
    const tool = byName.get(name);
    if (!tool) return { ok: false, refusal: protocolError('ERR_UNKNOWN_TOOL', errorMessage('ERR_UNKNOWN_TOOL', name)) };
    if (split.badApprovalId) return invalid(`${APPROVAL_ARG}: expected a string`);
    const parsed = strictInputs.get(name)!.safeParse(split.args);
    if (!parsed.success) return invalid(describeIssues(parsed.error));
    const args = parsed.data as Record<string, unknown>;
    return { ok: true, call: { tool, args, tier: callTier(tool, args), target: tool.target(args) } };
  }

  /** The tool called `name`, if any. */
  function find(name: string): ToolDefinition | undefined {
    return byName.get(name);
  }

  return { admit, find };
}

function protocolError(code: ProtocolError['code'], message: string): Omit<ProtocolError, 'auditId'> {
  return { kind: 'protocol_error', code, message };
}
