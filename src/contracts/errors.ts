/**
 * The one registry of error codes vigil reports (after fastify's `lib/errors.js`): each code has
 * the HTTP status a REST caller gets and the message template people read. Code decides, text is
 * for people: no caller may branch on a message; it reads `code`.
 * Part of the contracts layer: imports nothing of vigil's.
 */

/** One registry entry. `message` is the template; its parameters are the code's arguments. */
interface ErrorSpec {
  status: number;
  // The templates take different argument lists; each entry keeps its own precise type below.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  message: (...args: any[]) => string;
}

const opt = (reason: string) => (reason ? `: ${reason}` : '');

export const ERROR_CODES = {
  /** A tool name the server does not have (an MCP protocol error, audited). */
  ERR_UNKNOWN_TOOL: {
    status: 404,
    message: (name: string) => `unknown tool "${name}"; call tools/list for the available tools`,
  },
  /** Arguments that fail the tool's input schema (an MCP protocol error, audited). */
  ERR_INVALID_ARGS: { status: 400, message: (detail: string) => `invalid arguments: ${detail}` },
  /** A caller kind the tool does not accept (approve_action from the assistant). */
  ERR_TOOL_NOT_PERMITTED: {
    status: 403,
    message: (tool: string, caller: string) => `${tool} cannot be called by the ${caller}`,
  },
  ERR_TOOL_DISABLED: {
    status: 403,
    message: (tool: string) => `${tool} is disabled by config (safety.disabledTools)`,
  },
  ERR_READ_ONLY: {
    status: 403,
    message: (tool: string) => `${tool} changes infrastructure, and vigil runs read-only (safety.readOnly: true)`,
  },
  ERR_KILL_SWITCH_ALL: {
    status: 403,
    message: (reason: string) =>
      `blocked by the kill switch (scope all: no yellow or red action from anyone)${opt(reason)}`,
  },
  ERR_KILL_SWITCH_AUTONOMY: {
    status: 403,
    message: (reason: string) =>
      `blocked by the kill switch (scope autonomy: the monitor takes no action)${opt(reason)}`,
  },
  ERR_MONITOR_CONTROL: { status: 403, message: (tool: string) => `the monitor never calls ${tool}` },
  ERR_PROTECTED_TARGET: {
    status: 403,
    message: (tool: string, what: string) => `${what} is protected (safety.protected): ${tool} is refused`,
  },
  ERR_AUTONOMY_TOO_LOW: {
    status: 403,
    message: (level: number, needed: number) => `autonomy level ${level} does not allow this action (needs ${needed})`,
  },
  /**
   * A request naming a live MCP session with another credential. The session id stays out of the
   * text: the text reaches the event stream, the id only the audit row.
   */
  ERR_SESSION_BORROWED: {
    status: 401,
    message: (method: string, who: string) =>
      `this MCP session was opened by another client; refused a ${method} from ${who}`,
  },
  /** A tier, caller kind or autonomy level outside its closed vocabulary: the gate denies by default. */
  ERR_UNRECOGNISED: { status: 403, message: (what: string) => `unrecognised ${what}` },
  /** No approval has this id: the caller named something that is not there. */
  ERR_APPROVAL_NOT_FOUND: { status: 404, message: (id: string) => `approval ${id} does not exist` },
  ERR_APPROVAL_MISMATCH: {
    status: 403,
    message: (id: string, why: string) => `approval ${id} does not cover this call: ${why}`,
  },
  /** Approving or denying an approval that is no longer pending. */
  ERR_APPROVAL_DECIDED: {
    status: 409,
    message: (id: string, status: string) => `approval ${id} is already ${status}`,
  },
  ERR_APPROVAL_NOT_APPROVED: {
    status: 403,
    message: (id: string, status: string) => `approval ${id} is ${status}, not approved`,
  },
  /** The approval's state forbids the request (as are DECIDED and USED): a conflict, not a missing right. */
  ERR_APPROVAL_EXPIRED: {
    status: 409,
    message: (id: string) => `approval ${id} has expired; call the tool again without approval_id for a new one`,
  },
  ERR_APPROVAL_USED: {
    status: 409,
    message: (id: string) => `approval ${id} was already used; approvals are single-use`,
  },
  ERR_CONFIRM_DECLINED: {
    status: 403,
    message: (action: string) => `not confirmed: the user declined "${action}"`,
  },
  ERR_CONFIRM_CANCELLED: {
    status: 403,
    message: (action: string) => `not confirmed: the user cancelled "${action}"`,
  },
  /** Elicitation itself failed: deny, never proceed. */
  ERR_CONFIRM_FAILED: {
    status: 403,
    message: (why: string) => `not confirmed: asking the user failed (${why})`,
  },
  ERR_TIMEOUT: {
    status: 504,
    message: (tool: string, ms: number) => `${tool} did not finish within ${ms} ms and was aborted`,
  },
  /** A target the caller named that does not exist (a node, unit, HTTP check, guest or silence not configured or not there, a guest on another node): a client mistake. */
  ERR_UNKNOWN_TARGET: { status: 404, message: (detail: string) => detail },
  /** A target outside what the config allows (check_http to a URL not in httpChecks or safety.httpAllow). */
  ERR_TARGET_NOT_ALLOWED: { status: 403, message: (detail: string) => detail },
  /** Arguments that pass the schema but contradict each other (both name and url): a client mistake. */
  ERR_CONFLICTING_ARGS: { status: 400, message: (detail: string) => detail },
  /** vigil's database cannot take the audit row (a full disk): the action is refused before it runs. */
  ERR_STORAGE_UNAVAILABLE: { status: 503, message: (reason: string) => reason },
  /** An operational failure a handler reports in its own words ("failed to start VM 101 on pve1: …"). */
  ERR_TOOL_FAILED: { status: 502, message: (detail: string) => detail },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;
/** The template arguments of one code. */
export type ErrorArgs<C extends ErrorCode> = Parameters<(typeof ERROR_CODES)[C]['message']>;

/** Every code, for validation at the edges and for tests. */
export const ALL_ERROR_CODES = Object.keys(ERROR_CODES) as ErrorCode[];

/** The message people read for `code` with its arguments. */
export function errorMessage<C extends ErrorCode>(code: C, ...args: ErrorArgs<C>): string {
  const template = ERROR_CODES[code].message as (...a: ErrorArgs<C>) => string;
  return template(...args);
}

/** The HTTP status a REST caller gets for `code`. */
export function errorStatus(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}

/** A coded error: `code` is what callers branch on; `message` is for people. */
export interface CodedError {
  code: ErrorCode;
  message: string;
}

/** Builds a coded error from the registry. */
export function codedError<C extends ErrorCode>(code: C, ...args: ErrorArgs<C>): CodedError {
  return { code, message: errorMessage(code, ...args) };
}

/** Whether `code` refuses the call before it acts because of the kill switch. */
export function isKillSwitchCode(code: ErrorCode | undefined): boolean {
  return code === 'ERR_KILL_SWITCH_ALL' || code === 'ERR_KILL_SWITCH_AUTONOMY';
}
