/** The JSON Schema of vigil.yaml, for editors (yaml-language-server) and for schema/vigil.schema.json. */
import { z } from 'zod';
import { configSchema } from './schema.js';

/**
 * JSON Schema of the file as written (input side: defaults shown, optional keys optional).
 * Cross-field rules and ${env:NAME} resolution are not expressible in it; loadConfig is the judge.
 */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' }),
    title: 'vigil.yaml',
    description: 'Configuration of the vigil MCP server and remediation loop',
  };
}

/** The committed text of schema/vigil.schema.json. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
