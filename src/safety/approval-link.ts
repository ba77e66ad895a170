/**
 * Red confirmation by URL-mode elicitation (MCP 2025-11-25): the client is asked to open the
 * dashboard's page for a pending approval, where only the operator token approves; the call then
 * waits, up to a bound, for the operator's decision. The model cannot grant it: accepting the
 * elicitation only means the user agreed to open the page.
 */
import type { Approval } from '../db/approvals.js';
import type { ApprovalPort } from '../db/ports.js';

/** What the user answered to the URL-mode elicitation (accept: they agreed to open the page). */
export type LinkAnswer = 'accept' | 'decline' | 'cancel';

/** The client side of a URL-mode confirmation, built per call by the MCP server. */
export interface ApprovalLink {
  /** Sends the URL-mode elicitation pointing at the approval's dashboard page. */
  open(approvalId: string, message: string): Promise<LinkAnswer>;
  /** Tells the client the out-of-band step finished (`notifications/elicitation/complete`). */
  complete(approvalId: string): Promise<void>;
  /** The longest wait for the operator's decision, on the pipeline's clock. */
  waitMs: number;
  /** Aborted when the client cancels the tool call: stop waiting. */
  signal?: AbortSignal;
}

/** How often the store is read while waiting: the operator may decide in another process. */
const POLL_MS = 200;

/**
 * Waits until the approval leaves `pending` (approved, denied or expired) or `waitMs` has passed on
 * `now`, or `signal` aborts; resolves to its state then. It reads the shared database, so a decision
 * made by `vigil serve`'s dashboard reaches a `vigil mcp` process.
 */
export async function awaitDecision(opts: {
  approvals: Pick<ApprovalPort, 'get'>;
  id: string;
  now: () => number;
  waitMs: number;
  signal?: AbortSignal;
}): Promise<Approval | undefined> {
  const until = opts.now() + opts.waitMs;
  for (;;) {
    const approval = await opts.approvals.get(opts.id, opts.now());
    if (approval?.status !== 'pending') return approval;
    if (opts.now() >= until || opts.signal?.aborted) return approval;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, POLL_MS);
      function done() {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', done);
        resolve();
      }
      opts.signal?.addEventListener('abort', done, { once: true });
    });
  }
}
