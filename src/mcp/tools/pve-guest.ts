/**
 * What the snapshot, backup, agent, HA and migration tools share: finding a guest where the call
 * says it is, following a task to its end, and the inputs they all take.
 */
import { z } from 'zod';
import { ToolFailure } from '../../errors.js';
import type { GuestResource, ProxmoxClient, TaskStatus } from '../../clients/proxmox/index.js';
import type { ToolContext } from '../tool.js';
import { failure, guestLabel, isGuest, nodeName, reading, vmid } from './cluster.js';

/** Long enough for a big backup or migration; the pipeline's deadline (ctx.signal) ends it sooner when set. */
export const TASK_WAIT = { timeoutMs: 60 * 60_000, pollMs: 300 };

export const guestInput = z.object({ node: nodeName, vmid });

/**
 * The guest `id` as /cluster/resources lists it, refused unless it lives on `node` (the node the
 * gate, protection and audit saw) and its node reports it.
 */
export async function locateGuest(
  px: ProxmoxClient,
  ctx: ToolContext,
  node: string,
  id: number,
  what: string,
): Promise<GuestResource> {
  const all = await reading(`${what} guest ${id} on ${node}`, () => px.clusterResources('vm', ctx.signal));
  const g = all.filter(isGuest).find((r) => r.vmid === id);
  if (!g)
    throw ToolFailure.of(
      'ERR_UNKNOWN_TARGET',
      `failed to ${what} guest ${id} on ${node}: no guest ${id} exists in the cluster (or the token may not audit it)`,
    );
  const label = guestLabel(g.type, id);
  if (g.node !== node)
    throw ToolFailure.of(
      'ERR_UNKNOWN_TARGET',
      `failed to ${what} ${label} on ${node}: it is on node ${g.node}, not ${node}`,
    );
  if (g.status === 'unknown')
    throw new ToolFailure(
      `failed to ${what} ${label} on ${node}: node ${node} does not report the guest (status unknown; is the node offline?)`,
    );
  return g;
}

/** Starts an action (after the kill-switch re-check) and waits for its task; errors read "failed to <what>: <why>". */
export async function runTask(
  px: ProxmoxClient,
  ctx: ToolContext,
  node: string,
  what: string,
  start: () => Promise<string>,
): Promise<{ upid: string; task: TaskStatus }> {
  await ctx.assertMayAct();
  try {
    const upid = await start();
    const task = await px.waitForTask(node, upid, { ...TASK_WAIT, signal: ctx.signal });
    return { upid, task };
  } catch (err) {
    throw failure(what, err);
  }
}
