// Pins the WoL sender: MAC validation and the exact magic packet bytes, received on a loopback UDP socket.
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createWolSender, magicPacket, normalizeMac } from '../../src/clients/wol.js';

describe('wol sender', () => {
  let sock: Socket | undefined;
  afterEach(() => {
    sock?.close();
    sock = undefined;
  });

  it('sends 6×0xFF followed by 16 copies of the MAC to the given address and port', async () => {
    sock = createSocket('udp4');
    const received: Buffer[] = [];
    sock.on('message', (msg) => received.push(msg));
    await new Promise<void>((r) => sock?.bind(0, '127.0.0.1', () => r()));
    const port = sock.address().port;
    await createWolSender({ logger: pino({ level: 'silent' }) }).wake({
      mac: 'AA-bb-CC-dd-EE-0f',
      address: '127.0.0.1',
      port,
    });
    for (let i = 0; i < 50 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const pkt = received[0];
    expect(pkt).toBeDefined();
    expect(pkt?.length).toBe(102);
    expect(pkt?.subarray(0, 6)).toEqual(Buffer.alloc(6, 0xff));
    const mac = Buffer.from([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x0f]);
    for (let i = 1; i <= 16; i++) expect(pkt?.subarray(i * 6, i * 6 + 6)).toEqual(mac);
  });

  it.each(['aa:bb:cc:dd:ee', 'aa:bb:cc:dd:ee:gg', 'aa:bb-cc:dd:ee:ff', 'aabbccddeeff', ' aa:bb:cc:dd:ee:ff', ''])(
    'rejects MAC %j before sending',
    async (mac) => {
      expect(() => normalizeMac(mac)).toThrow(/invalid MAC/);
      await expect(
        createWolSender({ logger: pino({ level: 'silent' }) }).wake({ mac, address: '127.0.0.1', port: 9 }),
      ).rejects.toThrow(/invalid MAC/);
    },
  );

  it('builds the same packet it sends', () => {
    expect(magicPacket('01:02:03:04:05:06').subarray(96)).toEqual(Buffer.from([1, 2, 3, 4, 5, 6]));
  });
});
