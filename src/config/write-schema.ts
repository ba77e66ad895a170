/**
 * `npm run schema`: regenerates schema/vigil.schema.json, the JSON Schema derived from
 * src/config/schema.ts. test/config/artifacts.test.ts fails when the committed file drifts.
 * (examples/vigil.example.yaml is written by hand; test/config/example.test.ts validates it.)
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchemaText } from './json-schema.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
writeFileSync(`${root}schema/vigil.schema.json`, configJsonSchemaText());
