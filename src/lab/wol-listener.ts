/**
 * The lab's Wake-on-LAN listener: a loopback UDP socket standing in for the LAN segment. Every
 * valid magic packet wakes the lab node with that MAC (`state.wakeByMac`); anything else is ignored.
 */
import { createSocket } from 'node:dgram';
import type { Lab, LabExtraServiceFactory } from './lab.js';
import type { LabState } from './state.js';

/** The MAC a magic packet carries (6 × 0xFF, then the MAC 16 times; a SecureOn password may follow), or null. */
export function parseMagicPacket(packet: Buffer): string | null {
  if (packet.length !== 102 && packet.length !== 106 && packet.length !== 108) return null;
  for (let i = 0; i < 6; i++) if (packet[i] !== 0xff) return null;
  const mac = packet.subarray(6, 12);
  for (let i = 2; i <= 16; i++) if (!packet.subarray(i * 6, i * 6 + 6).equals(mac)) return null;
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export interface LabWolListener {
  port: number;
  /** MACs of the valid packets received, oldest first (for tests and the demo). */
  received(): string[];
  close(): Promise<void>;
}

/** Starts the listener on 127.0.0.1 (ephemeral port unless given). */
export function startLabWolListener(opts: { state: LabState; port?: number }): Promise<LabWolListener> {
  const sock = createSocket('udp4');
  const seen: string[] = [];
  sock.on('message', (msg) => {
    const mac = parseMagicPacket(msg);
    if (!mac) return;
    seen.push(mac);
    opts.state.wakeByMac(mac);
  });
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(opts.port ?? 0, '127.0.0.1', () => {
      resolve({
        port: sock.address().port,
        received: () => [...seen],
        close: () => new Promise<void>((done) => sock.close(() => done())),
      });
    });
  });
}

/** Lab extra service: one WoL listener for the whole lab, published as every node's `wolPort`. */
export const labWolService: LabExtraServiceFactory = async (lab: Lab) => {
  const listener = await startLabWolListener({ state: lab.state });
  for (const n of lab.nodesInfo()) lab.setNodeInfo(n.name, { wolPort: listener.port });
  return { close: () => listener.close() };
};
