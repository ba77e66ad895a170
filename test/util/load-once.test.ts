// Pins loadOnce: one load shared by every caller, a failed load tried again by the next caller, peek never starts one.
import { describe, expect, it } from 'vitest';
import { loadOnce } from '../../src/util/load-once.js';

describe('loadOnce', () => {
  it('starts nothing until asked, then shares one load between every caller', async () => {
    let loads = 0;
    const once = loadOnce(async () => {
      loads += 1;
      return 'module';
    });
    expect(once.peek()).toBeUndefined();
    expect(await Promise.all([once.get(), once.get(), once.get()])).toEqual(['module', 'module', 'module']);
    expect(await once.get()).toBe('module');
    expect(loads).toBe(1);
    expect(await once.peek()).toBe('module');
  });

  it('tries a failed load again on the next call, and keeps the load that worked', async () => {
    let loads = 0;
    const once = loadOnce(async () => {
      loads += 1;
      if (loads === 1) throw new Error('module missing');
      return loads;
    });
    await expect(once.get()).rejects.toThrow('module missing');
    // The failure is forgotten once its rejection has been seen.
    await Promise.resolve();
    expect(once.peek()).toBeUndefined();
    expect(await once.get()).toBe(2);
    expect(await once.get()).toBe(2);
    expect(loads).toBe(2);
  });
});
