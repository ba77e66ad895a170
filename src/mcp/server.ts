/**
 * One MCP server instance per serving unit (a 2025 session, one 2026-07-28 request, one stdio
 * connection); the same factory serves both protocol generations. It only translates: tools/list
 * shows what the static gate allows; tools/call hands everything to executeTool. The low-level
 * `Server` is used instead of `McpServer.registerTool` on purpose: `registerTool` validates
 * arguments and rejects unknown tools before our pipeline sees the call, and those outcomes must be
 * audited too. For the same reason tools/call is served by the fallback handler: a registered
 * tools/call handler checks the envelope itself and answers a malformed one (arguments as a
 * string, a numeric name) with a validation dump and no audit row.
 *
 * Confirmation differs by generation: a 2025 client is asked by elicitation while the call waits
 * (form, or URL mode to the approval's dashboard page); a 2026-07-28 client has no server→client
 * requests, so the call answers "input required" and the client retries with the answer (see
 * src/safety/confirm-rounds.ts).
 */
import {
  CLIENT_INFO_META_KEY,
  ProtocolErrorCode,
  Server,
  type CallToolResult,
  type InputRequiredResult,
  type JSONRPCRequest,
  type ServerContext,
  type Tool,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { Pipeline } from './pipeline.js';
import { APPROVAL_ARG } from './pipeline.js';
import type { ToolDefinition } from './tool.js';
import { tierAnnotations, type Caller } from '../contracts/tiers.js';
import { InputRequired } from '../safety/confirm-rounds.js';
import { envelopeOf, inputRequiredOf, legacyAsk, roundsOf, type StateCodec } from './ask.js';

export { createStateCodec, type StateCodec } from './ask.js';
import { kindOf } from './steps/admit.js';
import { callToolResultOf, invalidArgumentsResult, outputSchemaOf } from './tool-contract.js';
import { rpcError } from './rpc-error.js';
import { registerResources, type ResourceDeps } from './resources.js';
import { registerPrompts, type PromptDeps } from './prompts.js';

export const SERVER_NAME = 'vigil';
export const SERVER_VERSION = '0.1.0';

/**
 * The principal of a caller holding the static assistant token: over HTTP it presented the token,
 * over stdio it runs with the config that holds it. Approvals are bound to this, not to a session.
 */
export const ASSISTANT_TOKEN_PRINCIPAL = 'assistant-token';

/** The JSON Schema clients see; tools that can be red also accept `approval_id`. */
function inputSchemaOf(tool: ToolDefinition): Tool['inputSchema'] {
  const canBeRed = tool.tier === 'red';
  const shape = canBeRed
    ? tool.input.extend({
        [APPROVAL_ARG]: z
          .string()
          .optional()
          .describe(
            'id of an operator-approved request for exactly this call (returned as structuredContent.approvalId)',
          ),
      })
    : tool.input;
  const { $schema: _ignored, ...schema } = z.toJSONSchema(shape, { io: 'input' }) as Record<string, unknown>;
  return { ...schema, type: 'object' } as Tool['inputSchema'];
}

/**
 * The tools/list entry of a tool; annotations follow its tier (docs/ARCHITECTURE.md §2), and a tool
 * is idempotent when it only reads or declares that a repeat changes nothing.
 */
export function describeTool(tool: ToolDefinition): Tool {
  const hints = tierAnnotations(tool.tier);
  return {
    name: tool.name,
    title: tool.title,
    description: `[${tool.tier}] ${tool.description}`,
    inputSchema: inputSchemaOf(tool),
    outputSchema: outputSchemaOf(tool),
    annotations: {
      title: tool.title,
      ...hints,
      idempotentHint: tool.tier === 'green' || tool.idempotent === true,
      openWorldHint: tool.kind === 'infra' && tool.tier !== 'green',
    },
  };
}

/**
 * The assistant's tools/list: what the static gate shows it, described once. Build it where the
 * MCP endpoint is built and hand it to every session (the gate policy is fixed for the pipeline's life).
 */
export function listedTools(pipeline: Pick<Pipeline, 'listTools'>): Tool[] {
  return pipeline.listTools('assistant').map(describeTool);
}

/** Which protocol generation an instance serves: `modern` is 2026-07-28, `legacy` 2025-11-25 and 2025-06-18. */
export type Era = 'legacy' | 'modern';

/**
 * Creates the MCP server for one serving unit. `sessionId()` is read per call (HTTP assigns it
 * after initialize). `callerId` is the verified OAuth subject when there is one; otherwise the
 * audit log names the client by what it says it is.
 */
export function createMcpSession(deps: {
  pipeline: Pipeline;
  /** The tools/list answer, from `listedTools` (computed once, not per session). */
  tools: readonly Tool[];
  sessionId: () => string | undefined;
  /** The generation this instance serves; default legacy (a 2025 session). */
  era?: Era;
  /** Signs the state a 2026-07-28 confirmation carries between rounds; shared by every instance. */
  stateCodec?: StateCodec;
  callerId?: string;
  /** Who is authenticated (`oauth:<sub>`); default the static assistant token. Approvals are bound to it. */
  principal?: string;
  /**
   * The dashboard page of an approval (`http://HOST:PORT/#/approvals/<id>`). Given, a client that
   * declares `elicitation.url` confirms red calls there (URL-mode elicitation) instead of by form.
   */
  approvalPage?: (approvalId: string) => string;
  /** How long a 2025 URL-mode confirmation waits for the operator before answering with the pending approval. */
  approvalWaitMs?: number;
  /** Serves resources when given; see resources.ts. */
  resources?: ResourceDeps;
  /**
   * Where a 2026-07-28 instance's change notifications go: `instance` (stdio, whose entry routes them
   * onto the connection's subscriptions/listen streams) or `endpoint` (HTTP, where one feed for the
   * whole endpoint publishes them). Default `endpoint`.
   */
  modernFeed?: 'instance' | 'endpoint';
  /** Serves prompts when given; see prompts.ts. */
  prompts?: PromptDeps;
}): Server {
  const era = deps.era ?? 'legacy';
  const server = new Server(
    { name: SERVER_NAME, version: SERVER_VERSION },
    {
      capabilities: { tools: { listChanged: false } },
      instructions:
        'vigil acts on Proxmox VE clusters and Linux hosts through tiered tools: green tools only read; yellow tools ' +
        'make safe, reversible changes; red tools are destructive and need the user to confirm (or an operator to ' +
        'approve — then call again with approval_id). Every call is audited.',
    },
  );

  if (deps.resources) {
    const feed = era === 'legacy' ? 'session' : (deps.modernFeed ?? 'endpoint') === 'instance' ? 'all' : 'none';
    registerResources(server, deps.resources, () => callerOf(server, deps), feed);
  }
  if (deps.prompts) registerPrompts(server, deps.prompts);

  server.setRequestHandler('tools/list', async () => ({ tools: [...deps.tools] }));

  const callTool = async (
    request: JSONRPCRequest,
    ctx: ServerContext,
  ): Promise<CallToolResult | InputRequiredResult> => {
    const call = readEnvelope(request.params);
    const caller = callerOf(server, deps, ctx);
    const ask = era === 'modern' ? await roundsOf(ctx, deps) : legacyAsk(server, deps, ctx);
    let result;
    try {
      result = await deps.pipeline.executeTool(call.name, call.args, caller, {
        ...ask,
        ...(call.envelope ? { envelope: call.envelope } : {}),
      });
    } catch (err) {
      if (err instanceof InputRequired && deps.stateCodec) return inputRequiredOf(err, deps.stateCodec, deps);
      throw err;
    }
    if (result.kind === 'result') return callToolResultOf(result);
    // Arguments the tool's schema refuses are a result the model can read (SEP-1303); an unknown
    // tool and a malformed envelope (no string name, arguments not an object) stay protocol errors.
    const malformed = call.envelope !== null || (call.args !== undefined && kindOf(call.args) !== 'an object');
    if (result.code === 'ERR_INVALID_ARGS' && !malformed) {
      return invalidArgumentsResult(
        result.message,
        deps.tools.find((t) => t.name === call.name),
      );
    }
    throw rpcError(ProtocolErrorCode.InvalidParams, result.message);
  };
  server.fallbackRequestHandler = async (request, ctx) => {
    if (request.method === 'tools/call') return callTool(request, ctx);
    throw rpcError(ProtocolErrorCode.MethodNotFound, `method not found: ${request.method}`);
  };

  return server;
}

/** The caller of one request: the verified OAuth subject, else the client's name; its principal and session id. */
function callerOf(
  server: Server,
  deps: { sessionId: () => string | undefined; callerId?: string; principal?: string },
  ctx?: ServerContext,
): Caller {
  const sessionId = deps.sessionId();
  const info = envelopeOf(ctx, CLIENT_INFO_META_KEY) as { name?: unknown } | undefined;
  const named = typeof info?.name === 'string' ? info.name : server.getClientVersion()?.name;
  const id = deps.callerId ?? named ?? 'mcp-client';
  const principal = deps.principal ?? ASSISTANT_TOKEN_PRINCIPAL;
  return { kind: 'assistant', id, principal, ...(sessionId ? { sessionId } : {}) };
}

/** The tool name and arguments of a tools/call request, and what is malformed about its envelope. */
function readEnvelope(params: unknown): { name: string; args: unknown; envelope: string | null } {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    return {
      name: '',
      args: undefined,
      envelope: `params: expected an object with name and arguments, got ${kindOf(params)}`,
    };
  }
  const { name, arguments: args } = params as { name?: unknown; arguments?: unknown };
  if (typeof name === 'string') return { name, args, envelope: null };
  return {
    name: typeof name === 'number' ? String(name) : '',
    args,
    envelope: `name: expected a string (the tool to call), got ${kindOf(name)}`,
  };
}
