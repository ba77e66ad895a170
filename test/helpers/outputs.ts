/** Checks a tool's data against its output schema, as an MCP client checks structuredContent against outputSchema. */
import { expect } from 'vitest';
import type { ToolDefinition } from '../../src/mcp/tool.js';
import { describeIssues } from '../../src/util/zod-issues.js';

/**
 * The data parses with the tool's output schema and holds no field the schema does not declare
 * (zod drops undeclared keys, so the parse must give back exactly what was sent). The data goes
 * through JSON first, as structuredContent does on the wire.
 */
export function expectOutputOf(tool: Pick<ToolDefinition, 'name' | 'output'>, data: unknown): void {
  const wire: unknown = JSON.parse(JSON.stringify(data ?? null));
  const parsed = tool.output.safeParse(wire);
  expect(parsed.success, `${tool.name} data: ${parsed.success ? '' : describeIssues(parsed.error)}`).toBe(true);
  expect(parsed.data, `${tool.name} data holds a field its output schema does not declare`).toEqual(wire);
}
