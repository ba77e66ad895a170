// Pins the lab's WoL listener: a magic packet for a node's MAC boots that powered-off node; malformed packets are ignored.
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createWolSender } from '../../src/clients/wol.js';
import { startLab, type Lab } from '../../src/lab/index.js';
import { parseMagicPacket } from '../../src/lab/wol-listener.js';

describe('lab wol listener', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({ nodes: 2, guests: 1, bootMs: 50 });
  });
  afterAll(async () => lab?.close());

  it('parses only well-formed magic packets', () => {
    const mac = Buffer.from([2, 0, 0, 0, 0, 2]);
    const good = Buffer.concat([Buffer.alloc(6, 0xff), ...Array.from({ length: 16 }, () => mac)]);
    expect(parseMagicPacket(good)).toBe('02:00:00:00:00:02');
    expect(parseMagicPacket(good.subarray(0, 101))).toBeNull();
    const bad = Buffer.from(good);
    bad[50] = 7;
    expect(parseMagicPacket(bad)).toBeNull();
  });

  it('boots the powered-off node whose MAC the packet carries', async () => {
    const info = lab.nodesInfo().find((n) => n.name === 'pve2');
    expect(info?.wolPort).toBeGreaterThan(0);
    lab.state.setNodeOnline('pve2', false);
    // Garbage first: it must not wake anything.
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.send(Buffer.from('hello'), info?.wolPort ?? 0, '127.0.0.1', () => r()));
    sock.close();
    await createWolSender({ logger: pino({ level: 'silent' }) }).wake({
      mac: info?.mac ?? '',
      address: '127.0.0.1',
      port: info?.wolPort ?? 0,
    });
    let online = false;
    for (let i = 0; i < 100 && !online; i++) {
      online = lab.state.getNode('pve2')?.online ?? false;
      if (!online) await new Promise((r) => setTimeout(r, 20));
    }
    expect(online).toBe(true);
    expect(lab.state.getNode('pve1')?.online).toBe(true);
  });
});
