/**
 * One socket write for an MCP answer that is ready within a turn or two of the event loop.
 *
 * The SDK's Node transport streams a POST's answer as server-sent events and hands the stream to
 * its HTTP adapter, which sends the headers on their own as soon as the stream is open unless the
 * first event arrives within a couple of promise jobs — and no vigil call does: its audit row
 * commits on the next turn (src/db/group-commit.ts). The answer then leaves in three writes, each a
 * system call: the headers, the event, the end of the chunked body. Corking the socket while the
 * answer is prepared sends them as one.
 *
 * The socket is released when the response ends, or two turns of the event loop after the request
 * at the latest, so a call that takes longer (an SSH command, an elicitation) sends its headers and
 * every later event as it did without this. Only the timing of the first bytes changes, never what
 * is sent.
 */
import type { ServerResponse } from 'node:http';

export function coalesceResponse(res: ServerResponse): void {
  res.cork();
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    res.uncork();
  };
  // Emitted by end() once the last chunk is queued on the socket: everything written so far goes at once.
  res.once('prefinish', release);
  setImmediate(() => setImmediate(release));
}
