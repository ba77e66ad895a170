/**
 * Closed vocabularies of the safety model (tiers, callers, kill switch, autonomy, audit decisions)
 * and the two shapes every layer passes around: who calls (`Caller`) and what a call touches
 * (`ToolTarget`). Part of the contracts layer: imports nothing of vigil's.
 */

/** Safety tiers: green is read-only, yellow a safe reversible mutation, red destructive or disruptive. */
export const TIERS = ['green', 'yellow', 'red'] as const;
export type Tier = (typeof TIERS)[number];

/** Who is calling executeTool. The monitor is the autonomous loop; operator is REST/CLI/dashboard. */
export const CALLER_KINDS = ['assistant', 'operator', 'monitor'] as const;
export type CallerKind = (typeof CALLER_KINDS)[number];

/** Kill switch scopes: `autonomy` stops the monitor acting; `all` freezes every yellow and red call. */
export const KILL_SWITCH_SCOPES = ['autonomy', 'all'] as const;
export type KillSwitchScope = (typeof KILL_SWITCH_SCOPES)[number];

/** Autonomy levels: 0 observe · 1 notify · 2 propose · 3 act on yellow · 4 act on red where a runbook opts in. */
export const AUTONOMY_LEVELS = [0, 1, 2, 3, 4] as const;
export type AutonomyLevel = (typeof AUTONOMY_LEVELS)[number];

/** What the audit log records as the pipeline's decision for one call. */
export const AUDIT_DECISIONS = [
  'allowed',
  'blocked',
  'denied',
  'pending',
  'invalid',
  'unknown_tool',
  'dry_run',
] as const;
export type AuditDecision = (typeof AUDIT_DECISIONS)[number];

/** What happened when (and if) the handler ran. */
export const AUDIT_OUTCOMES = ['ok', 'error', 'timeout', 'not_run'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** The MCP annotations each tier implies: green reads only, red may destroy. */
export function tierAnnotations(tier: Tier): {
  readOnlyHint: boolean;
  destructiveHint: boolean;
} {
  switch (tier) {
    case 'green':
      return { readOnlyHint: true, destructiveHint: false };
    case 'yellow':
      return { readOnlyHint: false, destructiveHint: false };
    case 'red':
      return { readOnlyHint: false, destructiveHint: true };
  }
}

/** Whether a tool acts on infrastructure or controls vigil itself (kill switch, autonomy, approvals). */
export const TOOL_KINDS = ['infra', 'control'] as const;
export type ToolKind = (typeof TOOL_KINDS)[number];

/** Who called executeTool. `principal` is what approvals are bound to (never the session, which may be gone). */
export interface Caller {
  kind: CallerKind;
  /** Stable id of the caller: MCP client name, "operator", or "monitor". */
  id: string;
  /** MCP session id (HTTP) or the process-wide stdio session; absent for monitor calls. */
  sessionId?: string;
  /**
   * The authenticated identity behind the call, which approvals are bound to: `assistant-token`
   * (the static token, over HTTP or stdio) or `oauth:<sub>`. Absent: `<kind>:<id>` stands in.
   */
  principal?: string;
  /** Monitor calls only: the runbook acting and what it declares. */
  runbook?: {
    name: string;
    requiredLevel: AutonomyLevel;
    allowRed: boolean;
    /** The operator opted this target in to the runbook's red action (a Proxmox tag, a config list): red runs from level 3. */
    optedIn?: boolean;
  };
}

/** What a tool touches, for protection, blast radius and the audit log. */
export interface ToolTarget {
  node?: string;
  vmid?: number;
  service?: string;
}
