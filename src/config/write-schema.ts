/**
 * `npm run schema`: regenerates the committed artifacts derived from src/config —
 * schema/vigil.schema.json and examples/vigil.example.yaml. Tests fail when they drift.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_CONFIG } from './example.js';
import { configJsonSchemaText } from './json-schema.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
writeFileSync(`${root}schema/vigil.schema.json`, configJsonSchemaText());
writeFileSync(`${root}examples/vigil.example.yaml`, EXAMPLE_CONFIG);
