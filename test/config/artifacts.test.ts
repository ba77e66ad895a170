// Pins that the committed JSON Schema matches the code, and that `vigil init` copies the example and never overwrites a config.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  configJsonSchema,
  configJsonSchemaText,
  loadConfig,
  readExampleConfig,
  writeExampleConfig,
} from '../../src/config/index.js';
import { ConfigError } from '../../src/errors.js';
import { ENV, tempDir } from './helpers.js';

const root = new URL('../../', import.meta.url);
const committed = (path: string) => readFileSync(new URL(path, root), 'utf8');

describe('committed artifacts', () => {
  it('schema/vigil.schema.json equals the generated schema', () => {
    const onDisk = committed('schema/vigil.schema.json');
    if (onDisk !== configJsonSchemaText()) {
      expect.fail(
        'schema/vigil.schema.json is out of date with src/config/schema.ts; run "npm run schema" and commit it',
      );
    }
  });

  it('the schema is strict and carries the defaults', () => {
    const schema = configJsonSchema() as {
      additionalProperties: boolean;
      required: string[];
      properties: { server: { properties: { port: unknown } } };
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['auth']);
    expect(schema.properties.server.properties.port).toEqual({
      default: 8377,
      type: 'integer',
      minimum: 1,
      maximum: 65535,
    });
  });
});

describe('writeExampleConfig', () => {
  it('copies examples/vigil.example.yaml into a loadable file readable by its owner only', () => {
    const file = join(tempDir(), 'sub', 'vigil.yaml');
    writeExampleConfig(file);
    expect(readFileSync(file, 'utf8')).toBe(readExampleConfig());
    expect(readExampleConfig()).toBe(committed('examples/vigil.example.yaml'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadConfig(file, ENV).nodes).toEqual([]);
  });

  it('refuses to overwrite an existing file', () => {
    const file = join(tempDir(), 'vigil.yaml');
    writeFileSync(file, 'mine');
    expect(() => writeExampleConfig(file)).toThrow(ConfigError);
    expect(() => writeExampleConfig(file)).toThrow(/already exists; refusing to overwrite it/);
    expect(readFileSync(file, 'utf8')).toBe('mine');
  });
});
