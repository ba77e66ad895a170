// Pins the serialized task: runs never overlap, callers while one waits share it, one more run follows a busy one, and a failure stays with its own callers.
import { describe, expect, it } from 'vitest';
import { serialized } from '../../src/util/serialized.js';

/** A task whose runs the test releases one by one. */
function gatedTask() {
  const log: string[] = [];
  const gates: (() => void)[] = [];
  let n = 0;
  let active = 0;
  const task = async (): Promise<number> => {
    const id = (n += 1);
    active += 1;
    if (active > 1) log.push('overlap');
    log.push(`start ${id}`);
    await new Promise<void>((r) => gates.push(r));
    active -= 1;
    log.push(`end ${id}`);
    if (id === 2) throw new Error('run 2 failed');
    return id;
  };
  const release = async () => {
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()!();
  };
  return { task, log, release };
}

describe('serialized', () => {
  it('shares a waiting run, queues one more after a busy one, and never overlaps', async () => {
    const t = gatedTask();
    const s = serialized(t.task);
    const first = s.run();
    await new Promise((r) => setImmediate(r)); // run 1 has started
    const a = s.run();
    const b = s.run(); // joins a: one run after the busy one, not two
    expect(b).toBe(a);
    await t.release();
    expect(await first).toBe(1);
    await t.release();
    await expect(a).rejects.toThrow('run 2 failed');
    const c = s.run(); // a failure stays with its callers: the next run goes ahead
    await t.release();
    expect(await c).toBe(3);
    await s.idle();
    expect(t.log).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  it('runs what is put before later runs first, whatever it ends in', async () => {
    const order: string[] = [];
    const s = serialized(async () => void order.push('run'));
    s.before(async () => {
      order.push('first');
      throw new Error('first failed');
    });
    await s.run();
    await s.idle();
    expect(order).toEqual(['first', 'run']);
  });
});
