/**
 * One client process of the fan-out benchmark: `node --import tsx bench/socket-fanout-clients.ts URL N`
 * connects N Socket.IO clients to /events, prints `ready`, then follows stdin: `timed` starts
 * recording delivery latencies, `report` prints `{"received": n, "samples": [ms, ...]}`.
 * Several of these share the load because one Node thread cannot decode 1,000 clients' frames at 100/s.
 */
import { createInterface } from 'node:readline';
import { io, type Socket } from 'socket.io-client';
import { OPERATOR_TOKEN } from './common.js';

const [url, n] = [process.argv[2]!, Number(process.argv[3])];
const wallMs = () => performance.timeOrigin + performance.now();
const sockets: Socket[] = [];
const samples: number[] = [];
let recording = false;

for (let i = 0; i < n; i += 50) {
  await Promise.all(
    Array.from({ length: Math.min(50, n - i) }, () => {
      const socket = io(`${url}/events`, {
        auth: { token: OPERATOR_TOKEN },
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
      });
      sockets.push(socket);
      socket.on('event', (e: { data?: { sentAt?: number } }) => {
        if (recording) samples.push(wallMs() - (e.data?.sentAt ?? Number.NaN));
      });
      return new Promise<void>((resolve, reject) => {
        socket.once('ready', () => resolve());
        socket.once('connect_error', reject);
      });
    }),
  );
}
process.stdout.write('ready\n');

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'timed') recording = true;
  if (line === 'report') {
    const cpu = process.cpuUsage();
    process.stdout.write(
      `${JSON.stringify({ received: samples.length, cpuSeconds: (cpu.user + cpu.system) / 1e6, samples: samples.map((s) => Math.round(s * 100) / 100) })}\n`,
    );
  }
});
lines.on('close', () => {
  for (const s of sockets) s.close();
  process.exit(0);
});
