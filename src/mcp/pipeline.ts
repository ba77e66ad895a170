/**
 * executeTool: the one path every call takes, from every caller (docs/ARCHITECTURE.md §3):
 * lookup → validate → gate → confirm → run (deadline, AbortSignal, kill switch re-checked) →
 * audit (in `finally`, exactly one row, redacted, hash-chained) → publish.
 */
import type { Logger } from 'pino';
import type { ToolDeps } from './deps.js';
import { callTier, type Caller, type ToolDefinition, type ToolTarget } from './tool.js';
import { gate, gateStatic, killSwitchBlocks, type GatePolicy, type GateState, type GateTool } from '../safety/gate.js';
import type { AuditDecision, AuditOutcome, CallerKind, Tier } from '../contracts/tiers.js';
import type { Redactor } from '../safety/redact.js';
import { ERRORS, ToolFailure } from '../errors.js';
import { confirmCall, type Elicit } from '../safety/confirm.js';
import { describeIssues } from '../util/zod-issues.js';

/** The argument every red-capable tool accepts to redeem an operator approval. */
export const APPROVAL_ARG = 'approval_id';

export interface ExecuteOptions {
  /** Present when the caller's MCP client can be asked through elicitation. */
  elicit?: Elicit;
}

export type ExecuteResult =
  | { kind: 'protocol_error'; code: 'unknown_tool' | 'invalid_args'; message: string; auditId: number }
  | {
      kind: 'result';
      isError: boolean;
      text: string;
      data?: Record<string, unknown>;
      decision: AuditDecision;
      outcome: AuditOutcome;
      auditId: number;
    };

export interface PipelineDeps {
  tools: readonly ToolDefinition[];
  deps: ToolDeps;
  logger: Logger;
  redact: Redactor;
}

/** A tool as gate sees it, for one call's tier. */
function gateTool(tool: ToolDefinition, tier: Tier): GateTool {
  const out: GateTool = { name: tool.name, tier, kind: tool.kind };
  if (tool.callers) out.callers = tool.callers;
  return out;
}

export function policyOf(deps: ToolDeps): GatePolicy {
  const s = deps.config.safety;
  return { readOnly: s.readOnly, disabledTools: s.disabledTools, protected: s.protected, dryRun: s.dryRun };
}

/** Builds the pipeline over a fixed list of tools. */
export function createPipeline(p: PipelineDeps) {
  const byName = new Map(p.tools.map((tool) => [tool.name, tool]));
  const strictInputs = new Map(p.tools.map((tool) => [tool.name, tool.input.strict()]));
  const { deps, logger, redact } = p;
  const policy = policyOf(deps);

  /** Tools a caller kind may see (the static part of the gate). */
  function listTools(callerKind: CallerKind): ToolDefinition[] {
    return p.tools.filter(
      (tool) => gateStatic(gateTool(tool, tool.tier), { kind: callerKind }, policy).verdict === 'allow',
    );
  }

  async function executeTool(
    name: string,
    rawArgs: Record<string, unknown> | undefined,
    caller: Caller,
    options: ExecuteOptions = {},
  ): Promise<ExecuteResult> {
    const started = performance.now();
    const at = deps.now();
    const { [APPROVAL_ARG]: approvalArg, ...callArgs } = rawArgs ?? {};
    const approvalId = typeof approvalArg === 'string' ? approvalArg : null;

    let tier: Tier | null = null;
    let auditedArgs: unknown = callArgs;
    let target: ToolTarget | null = null;
    let decision: AuditDecision = 'blocked';
    let outcome: AuditOutcome = 'not_run';
    let error: string | null = null;
    let result: ExecuteResult | undefined;
    let usedApproval: string | null = approvalId;

    const finish = (
      r: Omit<Extract<ExecuteResult, { kind: 'result' }>, 'kind' | 'auditId' | 'decision' | 'outcome'>,
    ) => {
      if (r.isError) error = r.text;
      result = { kind: 'result', ...r, decision, outcome, auditId: 0 };
    };

    let auditId = 0;
    try {
      // 1. lookup
      const tool = byName.get(name);
      if (!tool) {
        decision = 'unknown_tool';
        error = ERRORS.UNKNOWN_TOOL(name);
        result = { kind: 'protocol_error', code: 'unknown_tool', message: error, auditId: 0 };
        return result;
      }

      // 2. validate
      if (approvalArg !== undefined && approvalId === null) {
        decision = 'invalid';
        error = ERRORS.INVALID_ARGS(`${APPROVAL_ARG}: expected a string`);
        result = { kind: 'protocol_error', code: 'invalid_args', message: error, auditId: 0 };
        return result;
      }
      const parsed = strictInputs.get(name)!.safeParse(callArgs);
      if (!parsed.success) {
        decision = 'invalid';
        error = ERRORS.INVALID_ARGS(describeIssues(parsed.error));
        result = { kind: 'protocol_error', code: 'invalid_args', message: error, auditId: 0 };
        return result;
      }
      const args = parsed.data as Record<string, unknown>;
      auditedArgs = args;
      tier = callTier(tool, args);
      target = tool.target(args);

      // 3. gate
      const gt = gateTool(tool, tier);
      // Read lazily: the gate consults the stored state only for calls it could affect, and
      // two SELECTs per green read would be the pipeline's largest fixed cost after the audit insert.
      const { preferences } = deps.stores;
      const readState = (): GateState => ({
        get killSwitch() {
          return preferences.killSwitch();
        },
        get autonomyLevel() {
          return preferences.autonomyLevel();
        },
      });
      const verdict = gate({ tool: gt, caller, target, policy, state: readState() });
      if (verdict.verdict === 'block') {
        decision = 'blocked';
        finish({ isError: true, text: verdict.reason, data: { status: 'blocked', code: verdict.code } });
        return result!;
      }
      if (verdict.verdict === 'dry_run') {
        decision = 'dry_run';
        finish({
          isError: false,
          text: `dry run (safety.dryRun): would ${tool.plan(args)}`,
          data: { status: 'dry_run', plan: tool.plan(args) },
        });
        return result!;
      }

      // 4. confirm
      if (verdict.verdict === 'confirm' || verdict.verdict === 'propose' || approvalId !== null) {
        const confirmation = await confirmCall({
          tool,
          args,
          caller,
          approvalId,
          elicit:
            verdict.verdict === 'confirm' && deps.config.safety.confirmation === 'elicit' ? options.elicit : undefined,
          approvals: deps.stores.approvals,
          ttlMs: deps.config.safety.approvalTtlSeconds * 1000,
          now: deps.now,
          bus: deps.bus,
          reason: verdict.verdict === 'propose' ? verdict.reason : undefined,
        });
        if (confirmation.status === 'pending') {
          decision = 'pending';
          usedApproval = confirmation.approvalId;
          finish({ isError: false, text: confirmation.text, data: confirmation.data });
          return result!;
        }
        if (confirmation.status === 'denied') {
          decision = 'denied';
          finish({ isError: true, text: confirmation.text, data: { status: 'denied' } });
          return result!;
        }
        usedApproval = confirmation.approvalId ?? null;
      }

      // 5. run
      decision = 'allowed';
      const timeoutMs = tool.timeoutMs ?? deps.config.safety.toolTimeoutSeconds * 1000;
      const controller = new AbortController();
      const assertMayAct = () => {
        const blocked = killSwitchBlocks(gt, caller, readState());
        if (blocked && blocked.verdict === 'block') throw new ToolFailure(blocked.reason);
      };
      let timer: NodeJS.Timeout | undefined;
      let timedOut = false;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          // Reject first: aborting makes the handler reject too, and the deadline must win the race.
          timedOut = true;
          reject(new TimeoutError(ERRORS.TIMEOUT(name, timeoutMs)));
          controller.abort(new Error(ERRORS.TIMEOUT(name, timeoutMs)));
        }, timeoutMs);
      });
      try {
        // The switch may have been flipped while we waited for a confirmation.
        if (tool.kind === 'infra' && tier !== 'green') assertMayAct();
        const output = await Promise.race([
          tool.handler(args, { caller, signal: controller.signal, logger, deps, assertMayAct }),
          deadline,
        ]);
        outcome = 'ok';
        finish({ isError: false, text: output.text, ...(output.data ? { data: output.data } : {}) });
      } catch (err) {
        outcome = timedOut ? 'timeout' : 'error';
        const message = timedOut ? ERRORS.TIMEOUT(name, timeoutMs) : err instanceof Error ? err.message : String(err);
        if (!(err instanceof ToolFailure) && !timedOut) {
          logger.warn({ tool: name, err: redact(message) }, 'tool handler failed');
        }
        if (err instanceof ToolFailure && /^blocked by the kill switch/.test(message)) decision = 'blocked';
        finish({ isError: true, text: message });
      } finally {
        clearTimeout(timer);
        // Tell anything the handler left running that the call is over (a prepared reason: no stack trace per call).
        if (!controller.signal.aborted) controller.abort(CALL_FINISHED);
      }
      return result!;
    } finally {
      // 6. audit — exactly one row, whatever happened above.
      auditId = deps.stores.audit.append({
        at,
        callerKind: caller.kind,
        callerId: caller.id,
        sessionId: caller.sessionId ?? null,
        tool: name,
        tier,
        args: redact(auditedArgs),
        target: redact(target),
        decision,
        outcome,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        error: error === null ? null : (redact(error) as string),
        approvalId: usedApproval,
      });
      if (result) result.auditId = auditId;
      // 7. publish — actions and refusals; plain reads would only flood the stream.
      publish(name, tier, caller, target, decision, outcome, error, auditId);
    }
  }

  function publish(
    tool: string,
    tier: Tier | null,
    caller: Caller,
    target: ToolTarget | null,
    decision: AuditDecision,
    outcome: AuditOutcome,
    error: string | null,
    auditId: number,
  ): void {
    const blocked = decision === 'blocked' || decision === 'denied';
    const acted = decision === 'allowed' || decision === 'dry_run';
    if (!(blocked || (acted && tier !== 'green'))) return;
    const what = targetLabel(target);
    try {
      deps.bus.publish({
        type: blocked ? 'tool.blocked' : 'tool.executed',
        severity: blocked || outcome !== 'ok' ? 'warning' : 'info',
        title: `${tool}${what ? ` ${what}` : ''}: ${blocked ? decision : decision === 'dry_run' ? 'dry run' : outcome}`,
        message: error === null ? `${caller.kind} ${caller.id} called ${tool}` : (redact(error) as string),
        ...(target?.node ? { node: target.node } : {}),
        ...(what ? { target: what } : {}),
        data: { tool, tier, caller: caller.kind, callerId: caller.id, decision, outcome, auditId },
      });
    } catch (err) {
      // The audit row is written; a failed broadcast must not turn a done action into an error.
      logger.error({ err: err instanceof Error ? err.message : String(err) }, 'publishing tool event failed');
    }
  }

  return { executeTool, listTools, tools: p.tools };
}

export type Pipeline = ReturnType<typeof createPipeline>;

class TimeoutError extends Error {}

const CALL_FINISHED = new Error('the tool call has finished');

function targetLabel(target: ToolTarget | null): string {
  if (!target) return '';
  const parts: string[] = [];
  if (target.vmid !== undefined) parts.push(`guest ${target.vmid}`);
  if (target.service !== undefined) parts.push(target.service);
  if (target.node !== undefined) parts.push(`on ${target.node}`);
  return parts.join(' ');
}
