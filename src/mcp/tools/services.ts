/**
 * systemd services on SSH-reachable nodes: green `check_service`, yellow `restart_service`.
 * Only units listed in the node's `services` are touched. Also the shared plumbing the other SSH
 * tools use to find a node and run one built command on it.
 */
import { z } from 'zod';
import { ToolFailure } from '../../errors.js';
import {
  buildCommand,
  CommandValidationError,
  parseSystemctlShow,
  type CommandSpec,
  type ServiceState,
} from '../../clients/commands/index.js';
import { sshTargetFor, type ExecResult } from '../../clients/ssh/index.js';
import type { NodeConfig } from '../../config/types.js';
import { defineTool, type ToolContext } from '../tool.js';

/** The configured node called `name`; a ToolFailure naming the configured ones otherwise. */
export function findNode(ctx: ToolContext, name: string): NodeConfig {
  const node = ctx.deps.config.nodes.find((n) => n.name === name);
  if (!node) {
    const known = ctx.deps.config.nodes.map((n) => n.name).join(', ') || 'none';
    throw ToolFailure.of('ERR_UNKNOWN_TARGET', `unknown node "${name}"; configured nodes: ${known}`);
  }
  return node;
}

/** The first line of a command's complaint, for "failed to ... : <why>". */
export function why(r: ExecResult): string {
  const line = (r.stderr.trim() || r.stdout.trim()).split('\n')[0]?.slice(0, 300);
  // What SSH reported: an exit status, a signal, or neither (the session ended first).
  const status =
    r.exitCode !== null
      ? `exit ${r.exitCode}`
      : r.signal
        ? `killed by signal ${r.signal}`
        : r.truncated
          ? 'output over the limit, so the command was stopped'
          : 'no exit status: the SSH session closed before the command finished (is the node going down?)';
  return line ? `${line} (${status})` : status;
}

/**
 * Builds `spec` and runs it on the node over SSH with the node's command timeout and the call's
 * signal. Mutating commands re-check the kill switch (`assertMayAct`) immediately before running.
 * Every failure becomes a ToolFailure "failed to <action> on <node>: <why>".
 */
export async function runOnNode(
  ctx: ToolContext,
  node: NodeConfig,
  spec: CommandSpec,
  action: string,
  opts: { maxOutputBytes?: number } = {},
): Promise<ExecResult> {
  const pool = ctx.deps.clients.ssh;
  if (!node.ssh)
    throw new ToolFailure(
      `failed to ${action} on ${node.name}: the node has no SSH settings (nodes[${node.name}].ssh)`,
    );
  if (!pool) throw new ToolFailure(`failed to ${action} on ${node.name}: the SSH client is not set up`);
  let command;
  try {
    command = buildCommand(spec);
  } catch (err) {
    if (err instanceof CommandValidationError)
      throw new ToolFailure(`failed to ${action} on ${node.name}: ${err.message}`);
    throw err;
  }
  if (command.mutating) await ctx.assertMayAct();
  try {
    return await pool.exec(sshTargetFor(node.name, node.ssh), command, {
      timeoutMs: node.ssh.commandTimeoutSeconds * 1000,
      signal: ctx.signal,
      ...(opts.maxOutputBytes ? { maxOutputBytes: opts.maxOutputBytes } : {}),
    });
  } catch (err) {
    throw new ToolFailure(`failed to ${action} on ${node.name}: ${(err as Error).message}`);
  }
}

/** The configured unit `service` names ("nginx" finds "nginx.service"); ToolFailure otherwise. */
export function configuredUnit(node: NodeConfig, service: string, action: string): string {
  const unit = node.services.find((u) => u === service || u === `${service}.service`);
  if (!unit) {
    const known = node.services.join(', ') || 'none';
    throw ToolFailure.of(
      'ERR_UNKNOWN_TARGET',
      `failed to ${action} ${service} on ${node.name}: not in nodes[${node.name}].services (configured: ${known})`,
    );
  }
  return unit;
}

const nodeName = z.string().min(1).max(64).describe('node name from the config');
const serviceName = z
  .string()
  .min(1)
  .max(256)
  .describe("systemd unit, e.g. nginx.service (a unit listed in the node's services)");

const unitState = z.object({
  unit: z.string().describe('systemd unit, e.g. nginx.service'),
  activeState: z.string().describe('active, inactive, failed, activating, deactivating, ...'),
  subState: z.string().describe('finer state: running, dead, exited, auto-restart, ...'),
  loadState: z.string().describe('loaded, or not-found when the unit does not exist on the node'),
  unitFileState: z.string().describe('enabled, disabled, static, masked, ...'),
  mainPid: z.number().int().describe('main process id, 0 when not running'),
  restarts: z.number().int().describe('automatic restarts systemd counted (NRestarts)'),
});

async function showUnit(ctx: ToolContext, node: NodeConfig, unit: string): Promise<ServiceState & { unit: string }> {
  const r = await runOnNode(ctx, node, { kind: 'show', unit }, `check ${unit}`);
  if (r.exitCode !== 0) throw new ToolFailure(`failed to check ${unit} on ${node.name}: ${why(r)}`);
  return { unit, ...parseSystemctlShow(r.stdout) };
}

export const checkService = defineTool({
  name: 'check_service',
  title: 'Check systemd services',
  description:
    "State of a systemd unit on a node (ActiveState, SubState, restarts), read over SSH. Without service, checks every unit in the node's services.",
  tier: 'green',
  kind: 'infra',
  input: z.object({ node: nodeName, service: serviceName.optional() }),
  output: z.object({ node: z.string(), services: z.array(unitState) }),
  target: (a) => ({ node: a.node, ...(a.service ? { service: a.service } : {}) }),
  plan: (a) => `read the state of ${a.service ?? 'every configured service'} on ${a.node}`,
  async handler(args, ctx) {
    const node = findNode(ctx, args.node);
    const units = args.service ? [configuredUnit(node, args.service, 'check')] : node.services;
    if (units.length === 0)
      return {
        text: `${node.name} has no services configured (nodes[${node.name}].services).`,
        data: { node: node.name, services: [] },
      };
    const services = [];
    for (const unit of units) services.push(await showUnit(ctx, node, unit));
    const lines = services.map((s) =>
      s.loadState === 'not-found'
        ? `${s.unit}: not found on ${node.name}`
        : `${s.unit}: ${s.activeState} (${s.subState})${s.restarts ? `, ${s.restarts} restarts` : ''}`,
    );
    return { text: `${node.name}\n${lines.join('\n')}`, data: { node: node.name, services } };
  },
});

export const restartService = defineTool({
  name: 'restart_service',
  title: 'Restart a systemd service',
  description:
    "Restarts a systemd unit on a node over SSH (systemctl restart) and reports its state afterwards. Only units listed in the node's services.",
  tier: 'yellow',
  kind: 'infra',
  input: z.object({ node: nodeName, service: serviceName }),
  output: z.object({ node: z.string(), service: unitState.describe('the unit after the restart') }),
  target: (a) => ({ node: a.node, service: a.service }),
  plan: (a) => `systemctl restart ${a.service} on ${a.node}`,
  async handler(args, ctx) {
    const node = findNode(ctx, args.node);
    const unit = configuredUnit(node, args.service, 'restart');
    const r = await runOnNode(ctx, node, { kind: 'restart', unit }, `restart ${unit}`);
    if (r.exitCode !== 0) throw new ToolFailure(`failed to restart ${unit} on ${node.name}: ${why(r)}`);
    // systemctl restart waits for the start job; a unit that dies at once shows up here.
    const after = await showUnit(ctx, node, unit);
    if (after.activeState !== 'active') {
      throw new ToolFailure(
        `failed to restart ${unit} on ${node.name}: it is ${after.activeState} (${after.subState}) after the restart`,
      );
    }
    return {
      text: `restarted ${unit} on ${node.name}: ${after.activeState} (${after.subState})`,
      data: { node: node.name, service: after },
    };
  },
});

export const serviceTools = [checkService, restartService];
