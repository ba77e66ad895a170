/**
 * Waking a node through Proxmox (`nodes[].wol.via: proxmox`): `POST /nodes/{node}/wakeonlan` on the
 * node vigil's API URL reaches, which sends the magic packet from its own network segment — for
 * when vigil is not on the sleeping node's segment. Proxmox takes the MAC from the node's config.
 */
import { ToolFailure } from '../../errors.js';
import type { NodeConfig } from '../../config/types.js';
import type { ToolContext } from '../tool.js';
import { proxmoxOf } from './cluster.js';

/** Asks the Proxmox API's node to wake `node`; returns the MAC Proxmox used. */
export async function wakeThroughProxmox(ctx: ToolContext, node: NodeConfig): Promise<string> {
  const px = proxmoxOf(ctx);
  await ctx.assertMayAct();
  try {
    return await px.wakeOnLan(node.name, ctx.signal);
  } catch (err) {
    throw new ToolFailure(
      `failed to wake ${node.name} through Proxmox (POST /nodes/${node.name}/wakeonlan): ${(err as Error).message}`,
    );
  }
}
