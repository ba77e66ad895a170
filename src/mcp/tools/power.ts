/** Powering nodes on: yellow `wake_node` sends a Wake-on-LAN magic packet to a configured node. */
import { z } from 'zod';
import { ToolFailure } from '../../errors.js';
import { defineTool } from '../tool.js';
import { findNode } from './services.js';
import { wakeThroughProxmox } from './wake-peer.js';

export const wakeNode = defineTool({
  name: 'wake_node',
  title: 'Wake a node (Wake-on-LAN)',
  description:
    "Sends Wake-on-LAN magic packets to a powered-off node, using the MAC, broadcast address and port in the node's wol settings, or (wol.via: proxmox) asks a live Proxmox node to send them from its network. The node then needs its boot time before it answers.",
  tier: 'yellow',
  kind: 'infra',
  idempotent: true,
  input: z.object({ node: z.string().min(1).max(64).describe('node name from the config') }),
  output: z.object({
    node: z.string(),
    mac: z.string().describe('MAC address the magic packets carry'),
    address: z
      .string()
      .describe('where they were sent: a broadcast or unicast IP address, or "proxmox" when a Proxmox node sent them'),
    port: z.number().int().describe('UDP port they were sent to'),
  }),
  target: (a) => ({ node: a.node }),
  plan: (a) => `send a Wake-on-LAN magic packet to ${a.node}`,
  async handler(args, ctx) {
    const node = findNode(ctx, args.node);
    if (!node.wol)
      throw new ToolFailure(
        `failed to wake ${node.name}: the node has no Wake-on-LAN settings (nodes[${node.name}].wol)`,
      );
    if (node.wol.via === 'proxmox') {
      const mac = await wakeThroughProxmox(ctx, node);
      return {
        text: `asked Proxmox to wake ${node.name} (${mac || node.wol.mac}): a live node sends the magic packet from its own network; ${node.name} answers once it has booted`,
        data: { node: node.name, mac: mac || node.wol.mac, address: 'proxmox', port: 9 },
      };
    }
    const wol = ctx.deps.clients.wol;
    if (!wol) throw new ToolFailure(`failed to wake ${node.name}: the Wake-on-LAN sender is not set up`);
    await ctx.assertMayAct();
    try {
      await wol.wake({ mac: node.wol.mac, address: node.wol.address, port: node.wol.port }, ctx.signal);
    } catch (err) {
      throw new ToolFailure(`failed to wake ${node.name}: ${(err as Error).message}`);
    }
    const where = `${node.wol.address}:${node.wol.port}`;
    return {
      text: `sent Wake-on-LAN packets for ${node.name} (${node.wol.mac}) to ${where}; it answers once it has booted`,
      data: { node: node.name, mac: node.wol.mac, address: node.wol.address, port: node.wol.port },
    };
  },
});

export const powerTools = [wakeNode];
