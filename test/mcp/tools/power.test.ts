// Pins wake_node against the lab's WoL listener: a configured node boots, the kill switch re-check wins, missing settings fail clearly.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { wakeNode } from '../../../src/mcp/tools/power.js';
import { startToolLab, type ToolLab } from './services-lab.js';

async function until(cond: () => boolean): Promise<boolean> {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  return cond();
}

describe('wake_node', () => {
  let t: ToolLab;
  beforeAll(async () => {
    t = await startToolLab();
  });
  afterAll(async () => t?.close());
  beforeEach(() => {
    t.killSwitch = false;
  });

  it('wakes a powered-off node through its configured MAC and port', async () => {
    t.lab.state.setNodeOnline('pve2', false);
    const out = await t.call(wakeNode, { node: 'pve2' });
    expect(out.text).toMatch(/^sent Wake-on-LAN packets for pve2 \(02:00:00:00:00:02\) to 127\.0\.0\.1:\d+/);
    expect(await until(() => t.lab.state.getNode('pve2')?.online === true)).toBe(true);
  });

  it('sends nothing when the kill switch was flipped after the gate', async () => {
    t.lab.state.setNodeOnline('pve1', false);
    t.killSwitch = true;
    await expect(t.call(wakeNode, { node: 'pve1' })).rejects.toThrow(/kill switch/);
    // A packet would boot it within bootMs; give it that long and more.
    await new Promise((r) => setTimeout(r, 150));
    expect(t.lab.state.getNode('pve1')?.online).toBe(false);
    expect(t.lab.state.getNode('pve1')?.bootingUntil).toBeNull();
    t.lab.state.setNodeOnline('pve1', true);
  });

  it('fails clearly for a node without WoL settings', async () => {
    const node = t.nodes.find((n) => n.name === 'pve1');
    const saved = node?.wol;
    if (node) delete node.wol;
    try {
      await expect(t.call(wakeNode, { node: 'pve1' })).rejects.toThrow(
        'failed to wake pve1: the node has no Wake-on-LAN settings (nodes[pve1].wol)',
      );
    } finally {
      if (node && saved) node.wol = saved;
    }
  });
});
