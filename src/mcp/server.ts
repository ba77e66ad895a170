/**
 * One MCP server instance per session (sharing one across clients leaks responses). It only
 * translates: tools/list shows what the static gate allows; tools/call hands everything to
 * executeTool. The low-level `Server` is used instead of `McpServer.registerTool` on purpose:
 * `registerTool` validates arguments and rejects unknown tools before our pipeline sees the call,
 * and those outcomes must be audited too. For the same reason tools/call is served by the
 * fallback handler: `Server.setRequestHandler` checks the tools/call envelope itself and answers a
 * malformed one (arguments as a string, a numeric name) with a validation dump and no audit row.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  ElicitResultSchema,
  ErrorCode,
  ListToolsRequestSchema,
  type CallToolResult,
  type JSONRPCRequest,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Pipeline } from './pipeline.js';
import { APPROVAL_ARG } from './pipeline.js';
import type { ToolDefinition } from './tool.js';
import { tierAnnotations, type Caller } from '../contracts/tiers.js';
import type { Elicit } from '../safety/confirm.js';
import type { ApprovalLink } from '../safety/approval-link.js';
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

/**
 * Creates the MCP server for one session. `sessionId()` is read per call (HTTP assigns it after
 * initialize). `callerId` is the verified OAuth subject when there is one; otherwise the audit log
 * names the client by what it says it is.
 */
export function createMcpSession(deps: {
  pipeline: Pipeline;
  /** The tools/list answer, from `listedTools` (computed once, not per session). */
  tools: readonly Tool[];
  sessionId: () => string | undefined;
  callerId?: string;
  /** Who is authenticated (`oauth:<sub>`); default the static assistant token. Approvals are bound to it. */
  principal?: string;
  /**
   * The dashboard page of an approval (`http://HOST:PORT/#/approvals/<id>`). Given, a client that
   * declares `elicitation.url` confirms red calls there (URL-mode elicitation) instead of by form.
   */
  approvalPage?: (approvalId: string) => string;
  /** How long a URL-mode confirmation waits for the operator before answering with the pending approval. */
  approvalWaitMs?: number;
  /** Serves resources (and their change notifications) when given; see resources.ts. */
  resources?: ResourceDeps;
  /** Serves prompts when given; see prompts.ts. */
  prompts?: PromptDeps;
}): Server {
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

  if (deps.resources) registerResources(server, deps.resources, () => callerOf(server, deps));
  if (deps.prompts) registerPrompts(server, deps.prompts);

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [...deps.tools],
  }));

  type Extra = Parameters<NonNullable<Server['fallbackRequestHandler']>>[1];
  const callTool = async (request: JSONRPCRequest, extra: Extra): Promise<CallToolResult> => {
    const call = readEnvelope(request.params);
    const canElicit = server.getClientCapabilities()?.elicitation !== undefined;
    const elicit: Elicit | undefined = canElicit
      ? async (message) => {
          const answer = await extra.sendRequest(
            {
              method: 'elicitation/create',
              params: {
                message,
                requestedSchema: {
                  type: 'object',
                  properties: {
                    confirm: { type: 'boolean', title: 'Confirm', description: 'Tick to let vigil do this' },
                  },
                  required: ['confirm'],
                },
              },
            },
            ElicitResultSchema,
          );
          if (answer.action !== 'accept') return answer.action;
          // Accepting the form without ticking confirm is not a yes.
          return answer.content?.confirm === true ? 'accept' : 'decline';
        }
      : undefined;
    const link = approvalLinkOf(server, deps, extra);
    const result = await deps.pipeline.executeTool(call.name, call.args, callerOf(server, deps), {
      ...(elicit ? { elicit } : {}),
      ...(link ? { link } : {}),
      ...(call.envelope ? { envelope: call.envelope } : {}),
    });
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
    throw rpcError(ErrorCode.InvalidParams, result.message);
  };
  server.fallbackRequestHandler = async (request, extra) => {
    if (request.method === 'tools/call') return callTool(request, extra);
    throw rpcError(ErrorCode.MethodNotFound, `method not found: ${request.method}`);
  };

  return server;
}

/**
 * Below the SDK client's default request timeout (60 s): a client that sends no progress-aware
 * timeout gets the pending approval rather than a timed-out call.
 */
const APPROVAL_WAIT_MS = 45_000;

/** The URL-mode confirmation for one call, when the client declared `elicitation.url` and a page exists. */
function approvalLinkOf(
  server: Server,
  deps: { approvalPage?: (approvalId: string) => string; approvalWaitMs?: number },
  extra: Parameters<NonNullable<Server['fallbackRequestHandler']>>[1],
): ApprovalLink | undefined {
  const page = deps.approvalPage;
  if (!page || server.getClientCapabilities()?.elicitation?.url === undefined) return undefined;
  return {
    async open(approvalId, message) {
      const answer = await extra.sendRequest(
        {
          method: 'elicitation/create',
          params: { mode: 'url', elicitationId: approvalId, url: page(approvalId), message },
        },
        ElicitResultSchema,
        // The user may take a while to answer; the bound on the operator's decision is separate.
        { timeout: 10 * 60_000 },
      );
      return answer.action;
    },
    async complete(approvalId) {
      await extra.sendNotification({
        method: 'notifications/elicitation/complete',
        params: { elicitationId: approvalId },
      });
    },
    waitMs: deps.approvalWaitMs ?? APPROVAL_WAIT_MS,
    signal: extra.signal,
  };
}

/** The session's caller: the verified OAuth subject, else the client's name; its principal and session id. */
function callerOf(
  server: Server,
  deps: { sessionId: () => string | undefined; callerId?: string; principal?: string },
): Caller {
  const sessionId = deps.sessionId();
  const id = deps.callerId ?? server.getClientVersion()?.name ?? 'mcp-client';
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
