/**
 * The one registry of error codes vigil reports, each with its message template.
 * Operational failures reach the assistant as `isError` results built from these.
 */

export const ERRORS = {
  UNKNOWN_TOOL: (name: string) => `unknown tool "${name}"; call tools/list for the available tools`,
  INVALID_ARGS: (detail: string) => `invalid arguments: ${detail}`,
  TOOL_NOT_PERMITTED: (tool: string, caller: string) => `${tool} cannot be called by the ${caller}`,
  TOOL_DISABLED: (tool: string) => `${tool} is disabled by config (safety.disabledTools)`,
  READ_ONLY: (tool: string) => `${tool} changes infrastructure, and vigil runs read-only (safety.readOnly: true)`,
  KILL_SWITCH_ALL: (reason: string) =>
    `blocked by the kill switch (scope all: no yellow or red action from anyone)${reason ? `: ${reason}` : ''}`,
  KILL_SWITCH_AUTONOMY: (reason: string) =>
    `blocked by the kill switch (scope autonomy: the monitor takes no action)${reason ? `: ${reason}` : ''}`,
  MONITOR_CONTROL: (tool: string) => `the monitor never calls ${tool}`,
  PROTECTED_TARGET: (tool: string, what: string) => `${what} is protected (safety.protected): ${tool} is refused`,
  AUTONOMY_TOO_LOW: (level: number, needed: number) =>
    `autonomy level ${level} does not allow this action (needs ${needed})`,
  APPROVAL_NOT_FOUND: (id: string) => `approval ${id} does not exist`,
  APPROVAL_MISMATCH: (id: string, why: string) => `approval ${id} does not cover this call: ${why}`,
  APPROVAL_NOT_APPROVED: (id: string, status: string) => `approval ${id} is ${status}, not approved`,
  APPROVAL_EXPIRED: (id: string) => `approval ${id} has expired; call the tool again without approval_id for a new one`,
  APPROVAL_USED: (id: string) => `approval ${id} was already used; approvals are single-use`,
  CONFIRM_DECLINED: (action: string) => `not confirmed: the user declined "${action}"`,
  CONFIRM_CANCELLED: (action: string) => `not confirmed: the user cancelled "${action}"`,
  TIMEOUT: (tool: string, ms: number) => `${tool} did not finish within ${ms} ms and was aborted`,
} as const;

/** An operational failure a handler reports: becomes an `isError` result with this message. */
export class ToolFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolFailure';
  }
}

/** A config file that cannot be used; `issues` are one line each, naming the key path and the fix. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: string[],
  ) {
    super(`${file}: ${issues.join('; ')}`);
    this.name = 'ConfigError';
  }
}
