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
import type { AdmittedCall } from './admit.js';
import { gateToolOf, lazyGateState, type PreferenceReader } from './decide.js';

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
  const assertMayAct = (): void => {
    const blocked = killSwitchBlocks(gateTool, caller, lazyGateState(req.preferences));
    if (blocked?.verdict === 'block') throw new ToolFailure(blocked.reason, blocked.error);
  };
  const controller = new AbortController();
  const deadline = startDeadline(req.timeoutMs, controller, errorMessage('ERR_TIMEOUT', call.tool.name, req.timeoutMs));
  try {
    // The switch may have been flipped while we waited for a confirmation.
    if (call.tool.kind === 'infra' && call.tier !== 'green') assertMayAct();
    const output = await Promise.race([
      call.tool.handler(call.args, { caller, signal: controller.signal, logger, deps, assertMayAct }),
      deadline.expired,
    ]);
    return {
      kind: 'result',
      decision: 'allowed',
      outcome: 'ok',
      isError: false,
      text: output.text,
      data: output.data,
    };
  } catch (err) {
    if (deadline.fired()) return failed('timeout', 'ERR_TIMEOUT', deadline.message);
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
    if (!controller.signal.aborted) controller.abort(CALL_FINISHED);
  }
}

function failed(outcome: Failed['outcome'], code: Failed['code'], text: string): Omit<Failed, 'auditId'> {
  return { kind: 'result', decision: 'allowed', outcome, isError: true, code, text };
}

/** A timer that rejects `expired` and aborts `controller` after `ms`, unless cancelled first. */
function startDeadline(ms: number, controller: AbortController, message: string) {
  const state = { fired: false, timer: undefined as NodeJS.Timeout | undefined };
  const expired = new Promise<never>((_, reject) => {
    state.timer = setTimeout(() => {
      // Reject first: aborting makes the handler reject too, and the deadline must win the race.
      state.fired = true;
      reject(new TimeoutError(message));
      controller.abort(new Error(message));
    }, ms);
  });
  return {
    expired,
    message,
    fired: () => state.fired,
    cancel: () => clearTimeout(state.timer),
  };
}

class TimeoutError extends Error {}

const CALL_FINISHED = new Error('the tool call has finished');
