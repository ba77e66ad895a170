/**
 * One MCP server instance per session (sharing one across clients leaks responses). It only
 * translates: tools/list shows what the static gate allows; tools/call hands everything to
 * executeTool. The low-level `Server` is used instead of `McpServer.registerTool` on purpose:
 * `registerTool` validates arguments and rejects unknown tools before our pipeline sees the call,
 * and those outcomes must be audited too.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ElicitResultSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Pipeline } from './pipeline.js';
import { APPROVAL_ARG } from './pipeline.js';
import type { ToolDefinition } from './tool.js';
import { tierAnnotations } from '../contracts/tiers.js';
import type { Elicit } from '../safety/confirm.js';

export const SERVER_NAME = 'vigil';
export const SERVER_VERSION = '0.1.0';

const schemaCache = new WeakMap<ToolDefinition, Tool['inputSchema']>();

/** The JSON Schema clients see; tools that can be red also accept `approval_id`. */
function inputSchemaOf(tool: ToolDefinition): Tool['inputSchema'] {
  const cached = schemaCache.get(tool);
  if (cached) return cached;
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
  const out = { ...schema, type: 'object' } as Tool['inputSchema'];
  schemaCache.set(tool, out);
  return out;
}

/** The tools/list entry of a tool; annotations follow its tier (docs/ARCHITECTURE.md §2). */
export function describeTool(tool: ToolDefinition): Tool {
  const hints = tierAnnotations(tool.tier);
  return {
    name: tool.name,
    title: tool.title,
    description: `[${tool.tier}] ${tool.description}`,
    inputSchema: inputSchemaOf(tool),
    annotations: { title: tool.title, ...hints, openWorldHint: tool.kind === 'infra' && tool.tier !== 'green' },
  };
}

/**
 * Creates the MCP server for one session. `sessionId()` is read per call (HTTP assigns it after
 * initialize). `callerId` is the verified OAuth subject when there is one; otherwise the audit log
 * names the client by what it says it is.
 */
export function createMcpSession(deps: {
  pipeline: Pipeline;
  sessionId: () => string | undefined;
  callerId?: string;
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

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: deps.pipeline.listTools('assistant').map(describeTool),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const client = server.getClientVersion();
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
    const sessionId = deps.sessionId();
    const result = await deps.pipeline.executeTool(
      request.params.name,
      request.params.arguments,
      { kind: 'assistant', id: deps.callerId ?? client?.name ?? 'mcp-client', ...(sessionId ? { sessionId } : {}) },
      elicit ? { elicit } : {},
    );
    if (result.kind === 'protocol_error') throw new McpError(ErrorCode.InvalidParams, result.message);
    return {
      content: [{ type: 'text', text: result.text }],
      ...(result.data ? { structuredContent: result.data } : {}),
      isError: result.isError,
    };
  });

  return server;
}
