/**
 * Step 5 of executeTool: run the handler with a deadline and an AbortSignal. The kill switch is
 * re-checked right before acting (and handlers call `assertMayAct` before their first mutating
 * request), so a switch flipped between the gate and the action wins.
 */
import type { Logger } from 'pino';
import type { Caller } from '../../contracts/tiers.js';
import { errorMessage, isKillSwitchCode } from '../../contracts/errors.js';
import { ToolFailure } from '../../errors.js';
import { killSwitchBlocks } from '../../safety/gate.js';
import type { Redactor } from '../../safety/redact.js';
import type { ToolDeps } from '../deps.js';
import type { Failed, Refused, Succeeded } from '../result.js';
import type { ToolContext } from '../tool.js';
import type { AdmittedCall } from './admit.js';
import { gateToolOf, withGateState, type PreferenceReader } from './decide.js';

export interface RunRequest {
  call: AdmittedCall;
  caller: Caller;
  deps: ToolDeps;
  preferences: PreferenceReader;
  logger: Logger;
  redact: Redactor;
  timeoutMs: number;
}

type RunAnswer = Omit<Succeeded, 'auditId'> | Omit<Failed, 'auditId'> | Omit<Refused, 'auditId'>;

/** Runs one confirmed call's handler; never throws (a failure is an answer). */
export async function runCall(req: RunRequest): Promise<RunAnswer> {
  const { call, caller, deps, logger } = req;
  const gateTool = gateToolOf(call.tool, call.tier);
  const assertMayAct = async (): Promise<void> => {
    const blocked = await withGateState(req.preferences, (state) => killSwitchBlocks(gateTool, caller, state));
    if (blocked?.verdict === 'block') throw new ToolFailure(blocked.reason, blocked.error);
  };
  const abort = lazyAbort();
  const deadline = startDeadline(req.timeoutMs, abort, () =>
    errorMessage('ERR_TIMEOUT', call.tool.name, req.timeoutMs),
  );
  const ctx: ToolContext = {
    caller,
    // Created on first read: a handler that only reads the database never makes one.
    get signal() {
      return abort.signal();
    },
    logger,
    deps,
    assertMayAct,
  };
  try {
    // The switch may have been flipped while we waited for a confirmation.
    if (call.tool.kind === 'infra' && call.tier !== 'green') await assertMayAct();
    const output = await Promise.race([call.tool.handler(call.args, ctx), deadline.expired]);
    return {
      kind: 'result',
      decision: 'allowed',
      outcome: 'ok',
      isError: false,
      text: output.text,
      data: output.data,
    };
  } catch (err) {
    if (deadline.fired()) return failed('timeout', 'ERR_TIMEOUT', deadline.message());
    const message = err instanceof Error ? err.message : String(err);
    if (!(err instanceof ToolFailure))
      logger.warn({ tool: call.tool.name, err: req.redact(message) }, 'tool handler failed');
    const code = err instanceof ToolFailure ? err.code : 'ERR_TOOL_FAILED';
    // The code decides: a kill-switch refusal raised right before acting is a block, not a failure.
    if (isKillSwitchCode(code))
      return { kind: 'result', decision: 'blocked', outcome: 'error', isError: true, code, text: message };
    return failed('error', code, message);
  } finally {
    deadline.cancel();
    // Tell anything the handler left running that the call is over (a prepared reason: no stack trace per call).
    abort.finish(CALL_FINISHED);
  }
}

function failed(outcome: Failed['outcome'], code: Failed['code'], text: string): Omit<Failed, 'auditId'> {
  return { kind: 'result', decision: 'allowed', outcome, isError: true, code, text };
}

/**
 * The call's AbortSignal, made only when the handler reads it. An abort before that is kept as its
 * reason, so a signal read later is already aborted; `finish` aborts a signal that exists and is live.
 */
export function lazyAbort() {
  let controller: AbortController | undefined;
  let reason: unknown;
  let aborted = false;
  return {
    signal(): AbortSignal {
      if (!controller) {
        controller = new AbortController();
        if (aborted) controller.abort(reason);
      }
      return controller.signal;
    },
    abort(why: unknown): void {
      if (aborted) return;
      aborted = true;
      reason = why;
      controller?.abort(why);
    },
    finish(why: unknown): void {
      if (!aborted) {
        aborted = true;
        reason = why;
      }
      if (controller && !controller.signal.aborted) controller.abort(why);
    },
  };
}

/** A timer that rejects `expired` and aborts the call after `ms`, unless cancelled first. */
function startDeadline(ms: number, abort: ReturnType<typeof lazyAbort>, describe: () => string) {
  const state = { fired: false, timer: undefined as NodeJS.Timeout | undefined };
  const expired = new Promise<never>((_, reject) => {
    state.timer = setTimeout(() => {
      // Reject first: aborting makes the handler reject too, and the deadline must win the race.
      state.fired = true;
      const message = describe();
      reject(new TimeoutError(message));
      abort.abort(new Error(message));
    }, ms);
  });
  return {
    expired,
    message: describe,
    fired: () => state.fired,
    cancel: () => clearTimeout(state.timer),
  };
}

class TimeoutError extends Error {}

const CALL_FINISHED = new Error('the tool call has finished');
