/**
 * Step 7 of executeTool: one event per action or refusal (`tool.executed` / `tool.blocked`);
 * plain reads would only flood the stream. Published after the audit row is written.
 */
import type { Logger } from 'pino';
import type { ToolTarget } from '../../contracts/tiers.js';
import type { Redactor } from '../../safety/redact.js';
import type { ToolDeps } from '../deps.js';
import { decisionOf, errorOf, type Settled } from '../result.js';
import type { CallFacts } from './record.js';

/** Publishes the call's event when it acted (yellow/red, or a dry run) or was refused. */
export async function publishCall(
  bus: Pick<ToolDeps['bus'], 'publish'>,
  deps: { logger: Logger; redact: Redactor },
  facts: CallFacts,
  settled: Settled,
  auditId: number,
): Promise<void> {
  const { decision, outcome } = decisionOf(settled);
  const error = errorOf(settled);
  const { tool, tier, caller, target } = facts;
  const blocked = decision === 'blocked' || decision === 'denied';
  const acted = decision === 'allowed' || decision === 'dry_run';
  if (!(blocked || (acted && tier !== 'green'))) return;
  const what = targetLabel(target);
  try {
    await bus.publish({
      type: blocked ? 'tool.blocked' : 'tool.executed',
      severity: blocked || outcome !== 'ok' ? 'warning' : 'info',
      title: `${tool}${what ? ` ${what}` : ''}: ${blocked ? decision : decision === 'dry_run' ? 'dry run' : outcome}`,
      message: error === null ? `${callerLabel(caller)} called ${tool}` : (deps.redact(error) as string),
      ...(target?.node ? { node: target.node } : {}),
      ...(what ? { target: what } : {}),
      data: { tool, tier, caller: caller.kind, callerId: caller.id, decision, outcome, auditId },
    });
  } catch (err) {
    // The audit row is written; a failed broadcast must not turn a done action into an error.
    deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'publishing tool event failed');
  }
}

/** "monitor" (its id is its kind: no "monitor monitor"), "operator cli", "assistant stdio-…". */
function callerLabel(caller: CallFacts['caller']): string {
  return caller.id && caller.id !== caller.kind ? `${caller.kind} ${caller.id}` : caller.kind;
}

/** "guest 101 on pve1", "nginx.service on pve2", "on pve3", or "". */
function targetLabel(target: ToolTarget | null): string {
  if (!target) return '';
  const parts: string[] = [];
  if (target.vmid !== undefined) parts.push(`guest ${target.vmid}`);
  if (target.service !== undefined) parts.push(target.service);
  if (target.node !== undefined) parts.push(`on ${target.node}`);
  return parts.join(' ');
}
