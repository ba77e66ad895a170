/**
 * Step 3 of executeTool: the gate, over the policy from config and the stored state (kill switch,
 * autonomy level) read at call time. The decision itself is `gate()` in `src/safety/gate.ts`.
 */
import type { Caller, Tier } from '../../contracts/tiers.js';
import type { KillSwitchScope, AutonomyLevel } from '../../contracts/tiers.js';
import { gate, type GateDecision, type GatePolicy, type GateState, type GateTool } from '../../safety/gate.js';
import type { ToolDeps } from '../deps.js';
import type { ToolDefinition } from '../tool.js';
import type { AdmittedCall } from './admit.js';

/** The safety settings of the config as the gate reads them. */
export function policyOf(deps: Pick<ToolDeps, 'config'>): GatePolicy {
  const s = deps.config.safety;
  return { readOnly: s.readOnly, disabledTools: s.disabledTools, protected: s.protected, dryRun: s.dryRun };
}

/** A tool as the gate sees it, for one call's tier. */
export function gateToolOf(tool: ToolDefinition, tier: Tier): GateTool {
  const out: GateTool = { name: tool.name, tier, kind: tool.kind };
  if (tool.callers) out.callers = tool.callers;
  return out;
}

/** Where the gate reads the stored state from. */
export interface PreferenceReader {
  killSwitch(): { active: boolean; scope: KillSwitchScope; reason: string };
  autonomyLevel(): AutonomyLevel;
}

/**
 * The stored state, read lazily: the gate consults it only for calls it could affect, and two
 * SELECTs per green read would be the pipeline's largest fixed cost after the audit insert.
 */
export function lazyGateState(preferences: PreferenceReader): GateState {
  return {
    get killSwitch() {
      return preferences.killSwitch();
    },
    get autonomyLevel() {
      return preferences.autonomyLevel();
    },
  };
}

/** The gate's decision for one admitted call. */
export function decide(
  call: AdmittedCall,
  caller: Caller,
  policy: GatePolicy,
  preferences: PreferenceReader,
): GateDecision {
  return gate({
    tool: gateToolOf(call.tool, call.tier),
    caller,
    target: call.target,
    policy,
    state: lazyGateState(preferences),
  });
}
