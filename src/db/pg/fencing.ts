/**
 * Fencing: every lease and every monitor action a daemon writes carries the leadership epoch it
 * holds, and the store refuses the write when that is not the stored epoch — a deposed leader
 * (paused, partitioned, its lock connection gone) cannot act after a newer leader took over.
 * The check reads the epoch row FOR SHARE inside the write's transaction, so a new leader's bump
 * waits for writes already checked, and every write after the bump is refused.
 */
import { mayWrite } from './leadership-rules.js';
import { one, type Queryable } from './pool.js';

/** The epoch a daemon carries: its leadership's, or null while it does not lead. */
export interface Fence {
  epoch(): number | null;
}

/** A lease or action write refused because the writer no longer leads. */
export class StaleEpochError extends Error {
  readonly code = 'ERR_STALE_EPOCH';
  constructor(
    readonly carried: number | null,
    readonly stored: number,
  ) {
    super(
      carried === null
        ? `refused: this daemon does not lead (the current leadership epoch is ${stored}); only the active monitor may act`
        : `refused: leadership epoch ${carried} is stale (now ${stored}); another daemon took over as the active monitor`,
    );
    this.name = 'StaleEpochError';
  }
}

/** Throws StaleEpochError unless `fence` carries the stored epoch; no fence means no shared leadership. */
export async function checkFence(db: Queryable, fence: Fence | undefined): Promise<void> {
  if (!fence) return;
  const carried = fence.epoch();
  const stored = (await one<{ epoch: number }>(db, 'SELECT epoch FROM vigil_leadership WHERE id = 1 FOR SHARE'))!.epoch;
  if (!mayWrite(carried, stored)) throw new StaleEpochError(carried, stored);
}
