// Pins group commit: appends of one event-loop turn share one transaction, each caller gets its own row id or its own error, and the chain stays verifiable whatever the batching.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupCommit } from '../../src/db/group-commit.js';
import { createSqlitePorts } from '../../src/db/sqlite-ports.js';
import { openDatabase } from '../../src/db/database.js';
import { entry, tempDbPath } from './helpers.js';

describe('groupCommit', () => {
  it('writes what is asked for in one turn in one call, in order, and answers each caller', async () => {
    const batches: number[][] = [];
    const commit = groupCommit(
      (xs: number[]) => (batches.push(xs), xs.map((x) => x * 10)),
      (x: number) => (batches.push([x]), x * 10),
    );
    const first = await Promise.all([commit.add(1), commit.add(2), commit.add(3)]);
    const lone = await commit.add(4);
    expect(first).toEqual([10, 20, 30]);
    expect(lone).toBe(40);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('retries a failed batch one entry at a time: only the bad entry fails', async () => {
    const commit = groupCommit(
      (xs: number[]) => {
        if (xs.includes(13)) throw new Error('batch refused');
        return xs;
      },
      (x: number) => {
        if (x === 13) throw new Error('13 is refused');
        return x;
      },
    );
    const results = await Promise.allSettled([commit.add(12), commit.add(13), commit.add(14)]);
    expect(results).toEqual([
      { status: 'fulfilled', value: 12 },
      { status: 'rejected', reason: new Error('13 is refused') },
      { status: 'fulfilled', value: 14 },
    ]);
  });

  it('flush() writes the queue at once', async () => {
    const written: number[] = [];
    const commit = groupCommit(
      (xs: number[]) => (written.push(...xs), xs),
      (x: number) => (written.push(x), x),
    );
    const pending = [commit.add(1), commit.add(2)];
    commit.flush();
    expect(written).toEqual([1, 2]);
    expect(await Promise.all(pending)).toEqual([1, 2]);
  });
});

describe('audit appends through the SQLite ports', () => {
  it('keep one verifiable chain with consecutive ids, however the calls fall into turns', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 6 }), async (turns) => {
        const ports = createSqlitePorts(openDatabase(tempDbPath()));
        try {
          const ids: number[] = [];
          let n = 0;
          for (const size of turns) {
            const batch = Array.from({ length: size }, () => ports.audit.append(entry((n += 1))));
            ids.push(...(await Promise.all(batch)));
          }
          expect(ids).toEqual(Array.from({ length: n }, (_, i) => i + 1));
          expect(await ports.audit.verify()).toMatchObject({ ok: true, rows: n });
          const newest = await ports.audit.list({ limit: 1 });
          expect(newest[0]?.tool).toBe(entry(n).tool);
        } finally {
          await ports.close();
        }
      }),
      { numRuns: 15 },
    );
  });
});
