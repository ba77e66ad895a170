/**
 * Wake-on-LAN sender: magic packets through the `wake_on_lan` package, with the MAC validated
 * before anything is sent.
 */
import { createRequire } from 'node:module';
import type { Logger } from 'pino';

interface WakeOnLan {
  wake(
    mac: string,
    opts: { address?: string; port?: number; num_packets?: number; interval?: number },
    cb: (err?: Error) => void,
  ): void;
  createMagicPacket(mac: string): Buffer;
}

// wake_on_lan is CommonJS without type declarations; load it through require with a typed shape.
const wol = createRequire(import.meta.url)('wake_on_lan') as WakeOnLan;

/** A MAC address written as six hex pairs separated by `:` or `-`. */
export const MAC_ADDRESS = /^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/;

/** Normalizes a MAC to lower-case `aa:bb:cc:dd:ee:ff`; throws for anything else. */
export function normalizeMac(mac: string): string {
  if (!MAC_ADDRESS.test(mac)) throw new Error(`invalid MAC address ${JSON.stringify(mac)}: expected aa:bb:cc:dd:ee:ff`);
  return mac.toLowerCase().replace(/-/g, ':');
}

/** The 102-byte magic packet: 6 × 0xFF, then the MAC 16 times. */
export function magicPacket(mac: string): Buffer {
  return wol.createMagicPacket(normalizeMac(mac));
}

export interface WakeTarget {
  mac: string;
  /** Where to send: usually the LAN's broadcast address; loopback in tests and the lab. */
  address: string;
  port: number;
}

export interface WolSender {
  /** Sends magic packets (3, 100 ms apart, as the package does); rejects if the socket fails. */
  wake(target: WakeTarget, signal?: AbortSignal): Promise<void>;
}

/** Creates a WoL sender. */
export function createWolSender(deps: { logger: Logger }): WolSender {
  return {
    async wake(target, signal) {
      const mac = normalizeMac(target.mac);
      if (signal?.aborted) throw new Error(`wake of ${mac} was aborted`);
      if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65_535) {
        throw new Error(`invalid WoL port ${String(target.port)}`);
      }
      await new Promise<void>((resolve, reject) => {
        wol.wake(mac, { address: target.address, port: target.port }, (err) => (err ? reject(err) : resolve()));
      });
      deps.logger.info({ mac, address: target.address, port: target.port }, 'wake-on-lan packet sent');
    },
  };
}
