/**
 * How a red call asks its client, by protocol generation. A 2025 client is asked while the call
 * waits: form elicitation, or URL mode to the approval's dashboard page (then the call waits, up to
 * a bound, for the operator). A 2026-07-28 client has no server→client requests: the call ends its
 * round "input required" with the same two kinds of question, and the retry brings the answer and
 * the signed state of the round before (src/safety/confirm-rounds.ts).
 */
import { randomBytes } from 'node:crypto';
import {
  CLIENT_CAPABILITIES_META_KEY,
  ProtocolErrorCode,
  createRequestStateCodec,
  inputRequired,
  inputResponse,
  type ClientCapabilities,
  type InputRequiredResult,
  type RequestStateCodec,
  type Server,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { Elicit } from '../safety/confirm.js';
import type { ApprovalLink } from '../safety/approval-link.js';
import type { ConfirmRounds, InputRequired, RoundState } from '../safety/confirm-rounds.js';
import { rpcError } from './rpc-error.js';

/** What a 2026-07-28 round carries to the next, signed by this codec. */
export type StateCodec = RequestStateCodec<RoundState>;

/** How long a round's state stays valid; the approval's own expiry still applies to what it names. */
const ROUND_TTL_SECONDS = 24 * 3600;

/**
 * The codec that signs round state, with a key of its own: build one per endpoint (HTTP) or
 * process (stdio) and hand it to every server instance, as a retry may reach another instance.
 */
export function createStateCodec(): StateCodec {
  return createRequestStateCodec<RoundState>({ key: randomBytes(32), ttlSeconds: ROUND_TTL_SECONDS });
}

/**
 * Below the SDK client's default request timeout (60 s): a client that sends no progress-aware
 * timeout gets the pending approval rather than a timed-out call.
 */
const APPROVAL_WAIT_MS = 45_000;

/** What the client declared it can do: per request on 2026-07-28, at initialize on 2025. */
function capabilitiesOf(server: Server, ctx?: ServerContext): ClientCapabilities | undefined {
  return (
    (envelopeOf(ctx, CLIENT_CAPABILITIES_META_KEY) as ClientCapabilities | undefined) ?? server.getClientCapabilities()
  );
}

/** One key of a 2026-07-28 request's `_meta` envelope (absent on 2025 requests). */
export function envelopeOf(ctx: ServerContext | undefined, key: string): unknown {
  return (ctx?.mcpReq.envelope as Record<string, unknown> | undefined)?.[key];
}

/** How a 2025 client is asked: form elicitation, and URL mode to the approval's page when it takes it. */
export function legacyAsk(
  server: Server,
  deps: { approvalPage?: (approvalId: string) => string; approvalWaitMs?: number },
  ctx: ServerContext,
): { elicit?: Elicit; link?: ApprovalLink } {
  const elicitation = capabilitiesOf(server, ctx)?.elicitation;
  if (elicitation === undefined) return {};
  const elicit: Elicit = async (message) => {
    const answer = await ctx.mcpReq.elicitInput({
      mode: 'form',
      message,
      requestedSchema: {
        type: 'object',
        properties: { confirm: { type: 'boolean', title: 'Confirm', description: 'Tick to let vigil do this' } },
        required: ['confirm'],
      },
    });
    if (answer.action !== 'accept') return answer.action;
    // Accepting the form without ticking confirm is not a yes.
    return answer.content?.confirm === true ? 'accept' : 'decline';
  };
  const page = deps.approvalPage;
  if (!page || elicitation.url === undefined) return { elicit };
  const link: ApprovalLink = {
    async open(approvalId, message) {
      const answer = await ctx.mcpReq.elicitInput(
        { mode: 'url', elicitationId: approvalId, url: page(approvalId), message },
        // The user may take a while to answer; the bound on the operator's decision is separate.
        { timeout: 10 * 60_000 },
      );
      return answer.action;
    },
    async complete(approvalId) {
      await ctx.mcpReq.notify({ method: 'notifications/elicitation/complete', params: { elicitationId: approvalId } });
    },
    waitMs: deps.approvalWaitMs ?? APPROVAL_WAIT_MS,
    signal: ctx.mcpReq.signal,
  };
  return { elicit, link };
}

/** The form a 2026-07-28 client shows when it cannot open a URL. */
const CONFIRM_FORM = {
  type: 'object' as const,
  properties: { confirm: { type: 'boolean' as const, title: 'Confirm', description: 'Tick to let vigil do this' } },
  required: ['confirm'],
};

/**
 * How a 2026-07-28 client is asked: across rounds, by the approval's page when it takes URL mode
 * and a page exists, else by form. Reads the previous round's signed state and the answer it brought.
 */
export async function roundsOf(
  ctx: ServerContext,
  deps: { stateCodec?: StateCodec; approvalPage?: (approvalId: string) => string },
): Promise<{ rounds?: ConfirmRounds }> {
  const elicitation = (envelopeOf(ctx, CLIENT_CAPABILITIES_META_KEY) as ClientCapabilities | undefined)?.elicitation;
  if (elicitation === undefined || !deps.stateCodec) return {};
  const via = deps.approvalPage && elicitation.url !== undefined ? 'url' : 'form';
  const raw = ctx.mcpReq.requestState<unknown>();
  let state: RoundState | undefined;
  if (typeof raw === 'string') {
    try {
      state = await deps.stateCodec.verify(raw, ctx);
    } catch {
      throw rpcError(ProtocolErrorCode.InvalidParams, 'Invalid or expired requestState');
    }
  }
  const view = inputResponse(ctx.mcpReq.inputResponses, state?.approvalId ? 'approval' : 'confirm');
  let answer: ConfirmRounds['answer'];
  if (view.kind === 'elicit') {
    // Accepting the form without ticking confirm is not a yes.
    answer = view.action === 'accept' && !state?.approvalId && view.content?.confirm !== true ? 'decline' : view.action;
  }
  return { rounds: { via, ...(state ? { state } : {}), ...(answer ? { answer } : {}) } };
}

/** The input-required result of a round that needs the client's answer first. */
export async function inputRequiredOf(
  asked: InputRequired,
  codec: StateCodec,
  deps: { approvalPage?: (approvalId: string) => string },
): Promise<InputRequiredResult> {
  const id = asked.state.approvalId;
  const requestState = await codec.mint(asked.state);
  if (id && deps.approvalPage) {
    return inputRequired({
      inputRequests: { approval: inputRequired.elicitUrl({ message: asked.prompt, url: deps.approvalPage(id) }) },
      requestState,
    });
  }
  return inputRequired({
    inputRequests: { confirm: inputRequired.elicit({ message: asked.prompt, requestedSchema: CONFIRM_FORM }) },
    requestState,
  });
}
