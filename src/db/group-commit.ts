/**
 * Group commit for the embedded database: appends asked for in the same turn of the event loop
 * are written in one transaction, flushed on `setImmediate` (after that turn's I/O callbacks).
 * Under load one commit — its WAL frames and file locks — serves every call that finished in the
 * turn; a lone call waits only for the end of its turn. The caller's promise still resolves only
 * once its row is committed. A batch that fails is retried one entry at a time, so each caller
 * gets its own outcome.
 */
export interface GroupCommit<E, R> {
  add(entry: E): Promise<R>;
  /** Writes what is queued now (before the database closes). */
  flush(): void;
}

export function groupCommit<E, R>(many: (entries: E[]) => R[], one: (entry: E) => R): GroupCommit<E, R> {
  let queue: { entry: E; resolve: (r: R) => void; reject: (err: Error) => void }[] = [];

  const settleOne = (q: (typeof queue)[number]) => {
    try {
      q.resolve(one(q.entry));
    } catch (err) {
      q.reject(err instanceof Error ? err : new Error(String(err)));
    }
  };

  function flush(): void {
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    if (batch.length === 1) return settleOne(batch[0]!);
    let results: R[];
    try {
      results = many(batch.map((q) => q.entry));
    } catch {
      for (const q of batch) settleOne(q);
      return;
    }
    batch.forEach((q, i) => q.resolve(results[i]!));
  }

  return {
    add(entry) {
      return new Promise<R>((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush);
        queue.push({ entry, resolve, reject });
      });
    },
    flush,
  };
}
