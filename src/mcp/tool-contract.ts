/**
 * What an MCP client is promised about a tool's results, beyond its input: the `outputSchema` its
 * structuredContent matches, how an answer of the pipeline becomes a CallToolResult, and the
 * tool result an argument the schema refuses gets (SEP-1303, revision 2025-11-25: the model reads
 * it and corrects itself, where a protocol error would only reach the client).
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { ToolResult } from './result.js';
import type { ToolDefinition } from './tool.js';

/**
 * The structuredContent of a call that waits for an operator's approval. Loose: the approval flow
 * may add fields (where to approve it); what a client relies on is declared.
 */
const pendingApprovalOutput = z.looseObject({
  status: z.literal('pending_approval'),
  approvalId: z.string().describe('pass it back as approval_id once an operator approved'),
  expiresAt: z.number().describe('when the approval request expires, milliseconds since the epoch'),
  plan: z.string().describe('what the call would do, in words'),
  tool: z.string(),
});

/** The structuredContent of a call answered under the global dry run (`safety.dryRun`). */
const dryRunOutput = z.object({
  status: z.literal('dry_run'),
  plan: z.string().describe('what the call would have done; nothing was done'),
});

/**
 * Output schemas are written in draft-07 and say so: a schema without `$schema` means 2020-12 to
 * a 2025-11-25 client, but the SDK 1.x client validates with Ajv's draft-07 default, which reads a
 * 2020-12 tuple (`prefixItems`, `items: false`; a node's loadavg) as "no items allowed".
 */
const DIALECT = 'http://json-schema.org/draft-07/schema#';

function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'output', target: 'draft-7' }) as Record<
    string,
    unknown
  >;
  return rest;
}

/**
 * The `outputSchema` of a tool. A green tool's results that are not errors are always its own
 * data; a yellow or red tool's may also be a dry run or (red) a pending approval, which are not
 * errors either, so the schema admits those shapes beside the tool's own. Errors (refusals,
 * failures, invalid arguments) carry no structuredContent; see `callToolResultOf`.
 */
export function outputSchemaOf(tool: Pick<ToolDefinition, 'tier' | 'output'>): NonNullable<Tool['outputSchema']> {
  const own = jsonSchemaOf(tool.output);
  if (tool.tier === 'green') return { $schema: DIALECT, ...own, type: 'object' };
  const others = tool.tier === 'red' ? [dryRunOutput, pendingApprovalOutput] : [dryRunOutput];
  return { $schema: DIALECT, type: 'object', anyOf: [own, ...others.map(jsonSchemaOf)] };
}

/**
 * The MCP result of an answer that reached its tool. An error's data is left out: the spec asks
 * structuredContent to match outputSchema unless isError, and the text already says what went wrong.
 */
export function callToolResultOf(result: ToolResult): CallToolResult {
  return {
    content: [{ type: 'text', text: result.text }],
    ...(!result.isError && result.data ? { structuredContent: result.data } : {}),
    isError: result.isError,
  };
}

/**
 * The tool result of arguments the tool's schema refused: the pipeline's message (it names the
 * field and what was wrong) and how to fix it, from the tool's listed inputSchema.
 */
export function invalidArgumentsResult(message: string, listed: Tool | undefined): CallToolResult {
  return { content: [{ type: 'text', text: `${message}\n${fixOf(listed)}` }], isError: true };
}

function fixOf(listed: Tool | undefined): string {
  if (!listed) return 'Fix: call it again with arguments that match its inputSchema (see tools/list).';
  const properties = Object.entries(listed.inputSchema.properties ?? {});
  if (properties.length === 0) return `Fix: call ${listed.name} again with no arguments ({}).`;
  const required = new Set(listed.inputSchema.required ?? []);
  const accepted = properties.map(([key, schema]) => {
    const type = (schema as { type?: unknown; enum?: unknown[] }).enum
      ? `one of ${(schema as { enum: unknown[] }).enum.map((v) => JSON.stringify(v)).join(', ')}`
      : typeof (schema as { type?: unknown }).type === 'string'
        ? String((schema as { type: string }).type)
        : 'see inputSchema';
    return `${key} (${type}${required.has(key) ? ', required' : ''})`;
  });
  return `Fix: call ${listed.name} again with only these arguments: ${accepted.join('; ')}.`;
}
