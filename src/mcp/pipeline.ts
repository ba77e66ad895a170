/**
 * executeTool: the one path every call takes, from every caller, as named steps (docs/ARCHITECTURE.md §3):
 * admit (lookup, validate) → decide (the gate) → confirm → run (deadline, AbortSignal, kill switch
 * re-checked) → record (exactly one audit row, redacted, hash-chained) → publish (an event).
 * Each step is a module in `./steps/`; this file only composes them.
 */
import type { Logger } from 'pino';
import type { Caller, CallerKind } from '../contracts/tiers.js';
import type { ToolDeps } from './deps.js';
import type { ObjectSchema, ToolData, ToolDefinition } from './tool.js';
import { gateStatic, type GateBlock } from '../safety/gate.js';
import type { Redactor } from '../safety/redact.js';
import type { Elicit } from '../safety/confirm.js';
import type { ApprovalLink } from '../safety/approval-link.js';
import { InputRequired, type ConfirmRounds } from '../safety/confirm-rounds.js';
import { blockedAnswer, deniedAnswer, dryRunAnswer, pendingAnswer } from './result.js';
import type { ExecuteResult, Refused, Settled } from './result.js';
import { createAdmission, splitArgs, type AdmittedCall, type SplitArgs } from './steps/admit.js';
import { decide, gateToolOf, policyOf } from './steps/decide.js';
import { confirmStep, needsConfirmation } from './steps/confirm.js';
import { runCall } from './steps/run.js';
import { recordCall, type CallFacts } from './steps/record.js';
import { publishCall } from './steps/publish.js';

export { APPROVAL_ARG } from './steps/admit.js';
export { policyOf } from './steps/decide.js';
export type * from './result.js';

export interface ExecuteOptions {
  /** Present when the caller's MCP client can be asked through elicitation. */
  elicit?: Elicit;
  /** Present when the client takes URL-mode elicitation: red is confirmed on the approval's dashboard page. */
  link?: ApprovalLink;
  /** Present for a 2026-07-28 client: red is confirmed across rounds (src/safety/confirm-rounds.ts). */
  rounds?: ConfirmRounds;
  /** A malformed request envelope the transport found (a missing or non-string tool name): audited as invalid. */
  envelope?: string;
}

export interface PipelineDeps {
  tools: readonly ToolDefinition[];
  deps: ToolDeps;
  logger: Logger;
  redact: Redactor;
}

/** A block the caller decided before calling (the monitor's kill-switch check): recorded, never run. */
export type Refusal = GateBlock;

/** How one call ended: its answer, the admitted call when it got that far, and the approval it used. */
interface Ended {
  settled: Settled;
  call?: AdmittedCall;
  approvalId: string | null;
}

/** Builds the pipeline over a fixed list of tools. */
export function createPipeline(p: PipelineDeps) {
  const { deps, logger, redact } = p;
  const { admit } = createAdmission(p.tools);
  const policy = policyOf(deps);
  const preferences = deps.stores.preferences;

  /** Tools a caller kind may see (the static part of the gate). */
  function listTools(callerKind: CallerKind): ToolDefinition[] {
    return p.tools.filter(
      (tool) => gateStatic(gateToolOf(tool, tool.tier), { kind: callerKind }, policy).verdict === 'allow',
    );
  }

  /** Admit → decide → confirm → run: the answer, before anything is recorded. */
  async function settle(name: string, split: SplitArgs, caller: Caller, options: ExecuteOptions): Promise<Ended> {
    const admission = admit(name, split);
    if (!admission.ok) return { settled: admission.refusal, approvalId: split.approvalId };
    const { call } = admission;
    const verdict = await decide(call, caller, policy, preferences);
    if (verdict.verdict === 'block') return { settled: blockedAnswer(verdict), call, approvalId: split.approvalId };
    if (verdict.verdict === 'dry_run') {
      return { settled: dryRunAnswer(call.tool.plan(call.args)), call, approvalId: split.approvalId };
    }
    let approvalId = split.approvalId;
    if (needsConfirmation(verdict, approvalId)) {
      const c = await confirmStep(call, verdict, caller, approvalId, options, deps);
      if (c.status === 'pending') return { settled: pendingAnswer(c.text, c.data), call, approvalId: c.approvalId };
      if (c.status === 'denied') return { settled: deniedAnswer(c.code, c.text), call, approvalId };
      approvalId = c.approvalId ?? null;
    }
    // An action whose audit row could not be written must not run: refuse while the database is full.
    const writable =
      call.tool.kind === 'infra' && call.tier !== 'green' ? await deps.stores.storage.check() : { ok: true as const };
    if (!writable.ok) {
      const refusal = blockedAnswer({
        verdict: 'block',
        code: 'unknown',
        error: 'ERR_STORAGE_UNAVAILABLE',
        reason: writable.reason,
      });
      return { settled: refusal, call, approvalId };
    }
    const timeoutMs = call.tool.timeoutMs ?? deps.config.safety.toolTimeoutSeconds * 1000;
    const settled = await runCall({ call, caller, deps, preferences, logger, redact, timeoutMs });
    return { settled, call, approvalId };
  }

  /** Record → publish: one audit row and its event; the answer with its audit id. */
  async function conclude(
    name: string,
    split: SplitArgs,
    caller: Caller,
    at: number,
    started: number,
    ended: Ended,
  ): Promise<ExecuteResult> {
    const facts: CallFacts = {
      tool: name,
      caller,
      at,
      durationMs: performance.now() - started,
      tier: ended.call?.tier ?? null,
      args: ended.call?.args ?? split.args,
      target: ended.call?.target ?? null,
      approvalId: ended.approvalId,
    };
    let auditId: number;
    try {
      auditId = await recordCall(deps.stores.audit, redact, facts, ended.settled);
    } catch (err) {
      // A refusal that changed nothing is still answered when its row cannot be written (a full disk);
      // a call that may have acted fails loudly instead.
      const s = ended.settled;
      if (s.kind !== 'result' || s.decision !== 'blocked' || s.outcome !== 'not_run') throw err;
      logger.error({ tool: name, err: err instanceof Error ? err.message : String(err) }, 'refusal not audited');
      return { ...s, auditId: 0 } as ExecuteResult;
    }
    await publishCall(deps.bus, { logger, redact }, facts, ended.settled, auditId);
    return { ...ended.settled, auditId } as ExecuteResult;
  }

  /** Runs one call through every step. Never throws for a tool's failure; the audit row is written in any case. */
  async function executeTool(
    name: string,
    rawArgs: unknown,
    caller: Caller,
    options: ExecuteOptions = {},
  ): Promise<ExecuteResult> {
    const started = performance.now();
    const at = deps.now();
    const split = splitArgs(rawArgs, options.envelope ?? null);
    let ended: Ended;
    try {
      ended = await settle(name, split, caller, options);
    } catch (err) {
      // Not settled yet: the client answers and calls again, and that round is recorded.
      if (err instanceof InputRequired) throw err;
      // Something below the steps broke (the database, most likely): the row still records the call.
      const message = err instanceof Error ? err.message : String(err);
      const settled = blockedAnswer({ verdict: 'block', code: 'unknown', error: 'ERR_TOOL_FAILED', reason: message });
      await conclude(name, split, caller, at, started, { settled, approvalId: split.approvalId });
      throw err;
    }
    return conclude(name, split, caller, at, started, ended);
  }

  /**
   * Records a call its caller refused before making it (the monitor found the kill switch on), through
   * the same record and publish steps as executeTool: one redacted audit row and a `tool.blocked` event.
   */
  async function refuse(
    name: string,
    rawArgs: Record<string, unknown> | undefined,
    caller: Caller,
    refusal: Refusal,
  ): Promise<Refused> {
    const started = performance.now();
    const at = deps.now();
    const split = splitArgs(rawArgs);
    const admission = admit(name, split);
    const call = admission.ok ? admission.call : undefined;
    return (await conclude(name, split, caller, at, started, {
      settled: blockedAnswer(refusal),
      ...(call ? { call } : {}),
      approvalId: null,
    })) as Refused;
  }

  /**
   * executeTool for a caller holding the tool's declaration: the same call, with the success data
   * typed by the tool's output schema (the handler's return type is checked against it).
   */
  function call<O extends ObjectSchema>(
    tool: ToolDefinition<ObjectSchema, O>,
    args: Record<string, unknown> | undefined,
    caller: Caller,
    options: ExecuteOptions = {},
  ): Promise<ExecuteResult<ToolData<O>>> {
    return executeTool(tool.name, args, caller, options) as Promise<ExecuteResult<ToolData<O>>>;
  }

  return { executeTool, call, refuse, listTools, tools: p.tools };
}

export type Pipeline = ReturnType<typeof createPipeline>;
