/**
 * The gate: one pure function deciding whether a call may proceed. Default-deny: anything it does
 * not recognise is blocked. Applied when tools are listed (the static part) and again at call time.
 *
 * Order (first match wins):
 *  1. caller not permitted for this tool at all (e.g. approve_action from the assistant) → block
 *  2. tool disabled by config → block
 *  3. read-only profile and the tool changes infrastructure (not green, not control) → block
 *  4. monitor calling a control tool (the monitor never touches the kill switch) → block
 *     — steps 1–4 are the static part, also used for tools/list —
 *  5. kill switch: scope `all` blocks every yellow/red infra call; scope `autonomy` blocks the
 *     monitor's yellow/red calls. Control tools are exempt so the switch can always be operated.
 *  6. protected target and a red infra tool → block
 *  7. monitor vs tier: green runs; below level 2 nothing else runs; level 2 proposes; yellow runs at
 *     level ≥ 3 (and ≥ the runbook's declared level); red runs only for a runbook that opts in, at
 *     level 4 (level 3 for a target the operator opted in); otherwise the monitor proposes (files an
 *     approval request)
 *  8. global dry run and a yellow/red infra tool → dry_run (say what would happen, do nothing)
 *  9. red from the assistant → confirm (elicitation or operator approval)
 * 10. otherwise → allow
 */
import {
  AUTONOMY_LEVELS,
  CALLER_KINDS,
  TIERS,
  type AutonomyLevel,
  type CallerKind,
  type KillSwitchScope,
  type Tier,
  type ToolKind,
  type ToolTarget,
} from '../contracts/tiers.js';
import { errorMessage, type ErrorArgs, type ErrorCode } from '../contracts/errors.js';

export interface GatePolicy {
  readOnly: boolean;
  disabledTools: readonly string[];
  protected: { nodes: readonly string[]; guests: readonly number[] };
  dryRun: boolean;
}

export interface GateState {
  killSwitch: { active: boolean; scope: KillSwitchScope; reason: string };
  autonomyLevel: AutonomyLevel;
}

export interface GateTool {
  name: string;
  /** The effective tier of this call. */
  tier: Tier;
  kind: ToolKind;
  callers?: readonly CallerKind[];
}

export interface GateCaller {
  kind: CallerKind;
  runbook?: { requiredLevel: AutonomyLevel; allowRed: boolean; optedIn?: boolean };
}

export const BLOCK_CODES = [
  'caller_not_permitted',
  'disabled',
  'read_only',
  'monitor_control',
  'kill_switch',
  'protected',
  'autonomy',
  'unknown',
] as const;
export type BlockCode = (typeof BLOCK_CODES)[number];

export type GateDecision =
  | { verdict: 'allow' }
  | { verdict: 'confirm' }
  | { verdict: 'dry_run' }
  | { verdict: 'propose'; reason: string }
  /** `code` is the kind of block (shown to clients as structured data); `error` the registry code. */
  | { verdict: 'block'; code: BlockCode; error: ErrorCode; reason: string };

export type GateBlock = Extract<GateDecision, { verdict: 'block' }>;

/** A block of kind `code` for the registry error `error`, with that error's message. */
function block<C extends ErrorCode>(code: BlockCode, error: C, ...args: ErrorArgs<C>): GateBlock {
  return { verdict: 'block', code, error, reason: errorMessage(error, ...args) };
}

const ACTING = (tool: GateTool): boolean => tool.kind === 'infra' && tool.tier !== 'green';

/** Steps 1–4: what does not depend on runtime state or arguments. Used for tools/list too. */
export function gateStatic(tool: GateTool, caller: GateCaller, policy: GatePolicy): GateDecision {
  if (!TIERS.includes(tool.tier) || !CALLER_KINDS.includes(caller.kind)) {
    return block('unknown', 'ERR_UNRECOGNISED', `tier or caller for ${tool.name}`);
  }
  if (tool.callers && !tool.callers.includes(caller.kind)) {
    return block('caller_not_permitted', 'ERR_TOOL_NOT_PERMITTED', tool.name, caller.kind);
  }
  if (policy.disabledTools.includes(tool.name)) {
    return block('disabled', 'ERR_TOOL_DISABLED', tool.name);
  }
  if (policy.readOnly && ACTING(tool)) {
    return block('read_only', 'ERR_READ_ONLY', tool.name);
  }
  if (caller.kind === 'monitor' && tool.kind === 'control') {
    return block('monitor_control', 'ERR_MONITOR_CONTROL', tool.name);
  }
  return { verdict: 'allow' };
}

/** The registry code of a kill-switch refusal: scope `all` freezes everyone, `autonomy` the monitor. */
export function killSwitchError(scope: KillSwitchScope): 'ERR_KILL_SWITCH_ALL' | 'ERR_KILL_SWITCH_AUTONOMY' {
  return scope === 'all' ? 'ERR_KILL_SWITCH_ALL' : 'ERR_KILL_SWITCH_AUTONOMY';
}

/**
 * The block the kill switch gives the monitor, for a refusal it decides before calling (it checks
 * the switch before a runbook and again right before acting, then records the refusal).
 */
export function killSwitchRefusal(ks: { scope: KillSwitchScope; reason: string }): GateBlock {
  return block('kill_switch', killSwitchError(ks.scope), ks.reason);
}

/** Step 5 alone: whether the kill switch stops this call. Also re-checked right before acting. */
export function killSwitchBlocks(tool: GateTool, caller: GateCaller, state: GateState): GateDecision | undefined {
  // Checked before touching the state: the pipeline reads it lazily, and reads cannot be blocked anyway.
  if (!ACTING(tool)) return undefined;
  const ks = state.killSwitch;
  if (!ks.active) return undefined;
  if (ks.scope === 'all' || caller.kind === 'monitor')
    return block('kill_switch', killSwitchError(ks.scope), ks.reason);
  return undefined;
}

function protectedTarget(target: ToolTarget | undefined, policy: GatePolicy): string | undefined {
  if (!target) return undefined;
  if (target.vmid !== undefined && policy.protected.guests.includes(target.vmid)) return `guest ${target.vmid}`;
  if (target.node !== undefined && target.vmid === undefined && policy.protected.nodes.includes(target.node)) {
    return `node ${target.node}`;
  }
  return undefined;
}

function monitorDecision(tool: GateTool, caller: GateCaller, level: AutonomyLevel): GateDecision {
  if (tool.tier === 'green') return { verdict: 'allow' };
  if (!AUTONOMY_LEVELS.includes(level)) return block('unknown', 'ERR_UNRECOGNISED', `autonomy level ${String(level)}`);
  if (level < 2) return block('autonomy', 'ERR_AUTONOMY_TOO_LOW', level, 2);
  // Red needs level 4, or level 3 for a target the operator opted in to this runbook's red action.
  const redLevel = caller.runbook?.allowRed && caller.runbook.optedIn ? 3 : 4;
  const required = Math.max(tool.tier === 'red' ? redLevel : 3, caller.runbook?.requiredLevel ?? 3);
  const optedIn = tool.tier !== 'red' || caller.runbook?.allowRed === true;
  if (level >= required && optedIn) return { verdict: 'allow' };
  return { verdict: 'propose', reason: errorMessage('ERR_AUTONOMY_TOO_LOW', level, required) };
}

/** The full decision for one call (steps 1–10). */
export function gate(input: {
  tool: GateTool;
  caller: GateCaller;
  target?: ToolTarget;
  policy: GatePolicy;
  state: GateState;
}): GateDecision {
  const { tool, caller, target, policy, state } = input;
  const fixed = gateStatic(tool, caller, policy);
  if (fixed.verdict !== 'allow') return fixed;
  const switched = killSwitchBlocks(tool, caller, state);
  if (switched) return switched;
  if (tool.kind === 'infra' && tool.tier === 'red') {
    const what = protectedTarget(target, policy);
    if (what) return block('protected', 'ERR_PROTECTED_TARGET', tool.name, what);
  }
  if (caller.kind === 'monitor') {
    const decision = monitorDecision(tool, caller, state.autonomyLevel);
    if (decision.verdict !== 'allow') return decision;
  }
  if (policy.dryRun && ACTING(tool)) return { verdict: 'dry_run' };
  if (tool.tier === 'red' && caller.kind === 'assistant') return { verdict: 'confirm' };
  return { verdict: 'allow' };
}
