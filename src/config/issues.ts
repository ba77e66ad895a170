/**
 * Turns zod issues into one-line messages that name the key path, say what was expected and what
 * was found — without ever printing a secret: values at SECRET_PATHS are described by length only.
 */
import type { z } from 'zod';
import type { KeyPath } from './env.js';
import { SECRET_PATHS } from './schema.js';

/** `nodes[2].ssh.port` */
export function formatPath(path: KeyPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out === '' ? '(top level)' : out;
}

/** Whether the value at `path` is a secret. */
export function isSecretPath(path: KeyPath): boolean {
  const dotted = path.map((p) => (typeof p === 'number' ? '*' : p)).join('.');
  return (SECRET_PATHS as readonly string[]).includes(dotted);
}

/** Collects the string values at secret paths of a raw tree, for scrubbing messages. */
export function rawSecrets(tree: unknown): string[] {
  const found: string[] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (typeof node === 'string' && isSecretPath(path)) found.push(node);
    else if (Array.isArray(node)) node.forEach((child, i) => walk(child, [...path, i]));
    else if (node !== null && typeof node === 'object') {
      for (const [k, child] of Object.entries(node)) walk(child, [...path, k]);
    }
  };
  walk(tree, []);
  return found;
}

/** Describes a value for "got ...": secrets by length only, long strings shortened. */
export function describeValue(value: unknown, secret: boolean): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (secret) return typeof value === 'string' ? `a ${value.length}-character value` : `a ${typeof value}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

/** The value at `path` in a plain tree, or undefined. */
export function valueAt(tree: unknown, path: KeyPath): unknown {
  let node = tree;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** The known key closest to `key` (snake_case and case slips first), if any is close. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  const squash = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const exact = known.find((k) => squash(k) === squash(key));
  if (exact !== undefined) return exact;
  let best: string | undefined;
  let bestDist = Infinity;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDist) [best, bestDist] = [k, d];
  }
  return bestDist <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/** The keys a strict object at `path` accepts, found by walking the schema. */
export function knownKeysAt(schema: z.ZodType, path: KeyPath): string[] {
  let node: z.ZodType | undefined = unwrap(schema);
  for (const part of path) {
    if (node === undefined) return [];
    const def = node.def as { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType };
    node = unwrap(typeof part === 'number' ? def.element : def.shape?.[part]);
  }
  const shape = (node?.def as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let node = schema;
  for (;;) {
    const def = node?.def as { type: string; innerType?: z.ZodType; in?: z.ZodType } | undefined;
    if (def?.innerType) node = def.innerType;
    else if (def?.type === 'pipe' && def.in) node = def.in;
    else return node;
  }
}

/** One line per zod issue (one per key for unknown keys). */
export function issueLines(
  issues: readonly z.core.$ZodIssue[],
  tree: unknown,
  schema: z.ZodType,
): { path: KeyPath; line: string }[] {
  const out: { path: KeyPath; line: string }[] = [];
  for (const issue of issues) {
    const path = issue.path as (string | number)[];
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, path);
      for (const key of issue.keys) {
        const hint = suggestKey(key, known);
        const fix = hint ? `did you mean "${hint}"?` : `allowed keys: ${known.join(', ')}`;
        out.push({ path: [...path, key], line: `${formatPath([...path, key])}: unknown key; ${fix}` });
      }
      continue;
    }
    // One line per key: a value failing several checks (empty and malformed) is one mistake.
    if (out.some((o) => formatPath(o.path) === formatPath(path))) continue;
    const value = valueAt(tree, path);
    const got = describeValue(value, isSecretPath(path));
    const line =
      value === undefined
        ? `${formatPath(path)}: missing; ${issue.message}`
        : `${formatPath(path)}: ${issue.message}, got ${got}`;
    out.push({ path, line });
  }
  return out;
}
