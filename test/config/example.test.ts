// Pins that examples/vigil.example.yaml, the file `vigil init` copies, loads with its ${env:…} placeholders set, commented-out examples included, and agrees with schema/vigil.schema.json.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema, exampleConfigPath, loadConfig, readExampleConfig } from '../../src/config/index.js';
import { ASSISTANT, ENV, OPERATOR, writeConfig } from './helpers.js';

/** The subset of JSON Schema that schema/vigil.schema.json uses. */
interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  minItems?: number;
  pattern?: string;
}

const jsonSchema = JSON.parse(
  readFileSync(new URL('../../schema/vigil.schema.json', import.meta.url), 'utf8'),
) as JsonSchema;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Every way `value` breaks `schema`, as "path: problem" lines (the keywords the committed schema uses). */
function violations(schema: JsonSchema, value: unknown, path: string): string[] {
  const type = typeOf(value);
  const fits = schema.type === undefined || schema.type === type || (schema.type === 'number' && type === 'integer');
  if (!fits) return [`${path}: expected ${schema.type}, got ${type}`];
  const out: string[] = [];
  if (schema.enum && !schema.enum.includes(value)) out.push(`${path}: ${String(value)} is not one of the enum`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) out.push(`${path}: below minimum`);
    if (schema.maximum !== undefined && value > schema.maximum) out.push(`${path}: above maximum`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) out.push(`${path}: too small`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) out.push(`${path}: too short`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) out.push(`${path}: pattern`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) out.push(`${path}: too few items`);
    if (schema.items) value.forEach((v, i) => out.push(...violations(schema.items as JsonSchema, v, `${path}[${i}]`)));
  }
  if (type === 'object') {
    const obj = value as Record<string, unknown>;
    const at = (key: string) => (path ? `${path}.${key}` : key);
    for (const key of schema.required ?? []) if (!(key in obj)) out.push(`${at(key)}: required`);
    for (const [key, v] of Object.entries(obj)) {
      if (schema.propertyNames) out.push(...violations(schema.propertyNames, key, `${at(key)} (key)`));
      const sub = schema.properties?.[key] ?? schema.additionalProperties;
      if (sub === false || sub === undefined) out.push(`${at(key)}: not in the schema`);
      else if (sub !== true) out.push(...violations(sub, v, at(key)));
    }
  }
  return out;
}

/**
 * The example with its commented-out sections switched on: a line `# key:` starts a block that runs
 * while the lines go on as `#` plus deeper indentation; the block replaces a `key: []` or `key: {}`
 * just above it. Prose comments (no `key:` right after the `#`) stay comments.
 */
function uncommentExamples(text: string): string {
  const out: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = /^(\s*)# ([A-Za-z][A-Za-z0-9]*):(\s|$)/.exec(lines[i]!);
    if (!start) {
      out.push(lines[i]!);
      continue;
    }
    const [, indent = '', key = ''] = start;
    const block = [indent + lines[i]!.slice(indent.length + 2)];
    while (lines[i + 1]?.startsWith(`${indent}#  `)) block.push(indent + lines[++i]!.slice(indent.length + 2));
    if (new RegExp(`^${indent}${key}: (\\[\\]|\\{\\})`).test(out.at(-1) ?? '')) out.pop();
    out.push(...block);
  }
  return out.join('\n');
}

/** The two values an operator must copy from their own hosts; the example shows them elided. */
const FINGERPRINTS: Array<[string, string]> = [
  ['"AB:CD:...:EF"', Array.from({ length: 32 }, () => 'AB').join(':')],
  ['SHA256:...', `SHA256:${'A'.repeat(43)}`],
];

describe('examples/vigil.example.yaml', () => {
  const text = readExampleConfig();

  it('is the file the package ships, beside src/ and dist/', () => {
    expect(exampleConfigPath()).toBe(fileURLToPath(new URL('../../examples/vigil.example.yaml', import.meta.url)));
  });

  it('loads through the zod schema and the cross-field checks with the two token variables set', () => {
    const config = loadConfig(exampleConfigPath(), ENV);
    expect(config.auth).toEqual({ assistantToken: ASSISTANT, operatorToken: OPERATOR });
    expect(config.nodes).toEqual([]);
    expect(config.monitor.enabled).toBe(true);
  });

  it('shows the defaults: every value it sets is the one the schema fills in when the key is left out', () => {
    const written = parse(text) as { auth: unknown };
    expect(configSchema.parse(written)).toEqual(configSchema.parse({ auth: written.auth }));
  });

  it('uses only keys and values that schema/vigil.schema.json allows, placeholders included', () => {
    expect(violations(jsonSchema, parse(text), '')).toEqual([]);
  });

  it('the schema check itself catches an unknown key, a wrong type and a value outside an enum', () => {
    const bad = { servr: {}, server: { port: '22' }, logging: { level: 'loud' } };
    expect(violations(jsonSchema, bad, '')).toEqual([
      'auth: required',
      'servr: not in the schema',
      'server.port: expected integer, got string',
      'logging.level: loud is not one of the enum',
    ]);
  });

  it('its commented-out examples, switched on, load too (with the elided fingerprints filled in)', () => {
    let full = uncommentExamples(text);
    for (const [elided, value] of FINGERPRINTS) {
      expect(full, `the example shows ${elided}`).toContain(elided);
      full = full.replaceAll(elided, value);
    }
    const env = {
      ...ENV,
      VIGIL_PROXMOX_TOKEN_SECRET: 'proxmox-secret',
      VIGIL_SMTP_PASSWORD: 'smtp-password',
      VIGIL_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/x',
      VIGIL_NTFY_AUTH: 'Bearer ntfy-token',
      VIGIL_DB_PASSWORD: 'db-password',
    };
    const config = loadConfig(writeConfig(full), env);
    expect(config.database.url).toBe('postgres://vigil:db-password@db.lan:5432/vigil');
    expect(config.proxmox?.tokenId).toBe('vigil@pve!monitor');
    expect(config.nodes.map((n) => n.name)).toEqual(['pve1']);
    expect(config.httpChecks.map((c) => c.service)).toEqual(['nginx.service']);
    expect(config.monitor.maintenance).toHaveLength(1);
    expect(config.monitor.runbooks['disk.high']?.enabled).toBe(false);
    expect(config.notifications.email?.to).toEqual(['ops@example.com']);
    expect(config.notifications.webhooks.map((w) => w.format)).toEqual(['slack', 'ntfy']);
  });

  it('mentions every top-level section of the schema, set or commented out', () => {
    for (const key of Object.keys(jsonSchema.properties ?? {}))
      expect(text, `examples/vigil.example.yaml lacks a "${key}:" section`).toMatch(new RegExp(`^(# )?${key}:`, 'm'));
  });
});
