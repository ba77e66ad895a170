/**
 * The daemon side of the fan-out benchmark, in its own process: a vigil core + startHttp (so the
 * real /events namespace), printing `{"url": ...}` once listening. Commands on stdin:
 * `publish RATE COUNT` publishes COUNT events through the bus at RATE per second (each carrying
 * its send time) and answers `done`; closing stdin stops the server.
 */
import { createInterface } from 'node:readline';
import { startHttp } from '../src/api/app.js';
import { benchCore } from './common.js';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one host. */
export const wallMs = () => performance.timeOrigin + performance.now();

const { core, dispose } = benchCore();
const app = await startHttp(core, '127.0.0.1', 0);
process.stdout.write(`${JSON.stringify({ url: app.url })}\n`);

/** Publishes on an absolute schedule, so a slow tick does not stretch the whole run. */
function publish(rate: number, count: number): Promise<void> {
  const start = performance.now();
  let sent = 0;
  return new Promise((resolve) => {
    const tick = () => {
      const due = Math.min(count, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
      while (sent < due) {
        core.bus.publish({
          type: 'tool.executed',
          severity: 'info',
          title: `bench ${sent}`,
          message: '',
          data: { seq: sent, sentAt: wallMs() },
        });
        sent += 1;
      }
      if (sent >= count) resolve();
      else setTimeout(tick, Math.max(0, start + (sent * 1000) / rate - performance.now()));
    };
    tick();
  });
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [cmd, rate, count] = line.trim().split(/\s+/);
  if (cmd === 'publish') void publish(Number(rate), Number(count)).then(() => process.stdout.write('done\n'));
});
lines.on('close', () => {
  void app
    .close()
    .then(dispose)
    .then(() => process.exit(0));
});
