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
  killSwitch(): Promise<{ active: boolean; scope: KillSwitchScope; reason: string }>;
  autonomyLevel(): Promise<AutonomyLevel>;
}

/** Thrown by the empty state's getters: the decision needs the stored state. */
const STATE_NEEDED = Symbol('gate state needed');
const NO_STATE: GateState = {
  get killSwitch(): never {
    throw STATE_NEEDED;
  },
  get autonomyLevel(): never {
    throw STATE_NEEDED;
  },
};

/**
 * Runs a pure gate decision, reading the stored state only when it consults it: the gate needs it
 * only for calls it could affect, and two queries per green read would be the pipeline's largest
 * fixed cost after the audit insert. The decision runs first without the state; if it reaches for
 * it, the state is read (fresh, never cached) and the decision runs again.
 */
export async function withGateState<T>(preferences: PreferenceReader, decideWith: (state: GateState) => T): Promise<T> {
  try {
    return decideWith(NO_STATE);
  } catch (err) {
    if (err !== STATE_NEEDED) throw err;
  }
  const [killSwitch, autonomyLevel] = await Promise.all([preferences.killSwitch(), preferences.autonomyLevel()]);
  return decideWith({ killSwitch, autonomyLevel });
}

/** The gate's decision for one admitted call. */
export function decide(
  call: AdmittedCall,
  caller: Caller,
  policy: GatePolicy,
  preferences: PreferenceReader,
): Promise<GateDecision> {
  return withGateState(preferences, (state) =>
    gate({ tool: gateToolOf(call.tool, call.tier), caller, target: call.target, policy, state }),
  );
}
