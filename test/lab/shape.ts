/** Shape comparison for JSON payloads: field names and JSON types, recursively. */

export type JsonType = 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean';

export function jsonType(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v as JsonType;
}

export interface ShapeRules {
  /** Keys (dotted paths from the root, `*` for array items) the reference calls optional. */
  optional?: string[];
  /** Keys whose value is compared by type only (objects with dynamic keys, e.g. blockstat). */
  opaque?: string[];
}

/**
 * Lists every way `actual` differs in shape from `sample`: a sample key missing from `actual`
 * (unless optional) or present with another JSON type. Keys only `actual` has are allowed.
 */
export function shapeDiff(sample: unknown, actual: unknown, rules: ShapeRules = {}, path = ''): string[] {
  const st = jsonType(sample);
  const at = jsonType(actual);
  if (st !== at) return [`${path || '(root)'}: expected ${st}, got ${at}`];
  if (rules.opaque?.includes(path)) return [];
  if (st === 'array') {
    const s = sample as unknown[];
    const a = actual as unknown[];
    if (s.length === 0 || a.length === 0) return [];
    return a.flatMap((item) => shapeDiff(s[0], item, rules, path ? `${path}.*` : '*'));
  }
  if (st !== 'object') return [];
  const s = sample as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  const out: string[] = [];
  for (const key of Object.keys(s)) {
    const p = path ? `${path}.${key}` : key;
    if (!(key in a)) {
      if (!rules.optional?.includes(p)) out.push(`${p}: missing`);
      continue;
    }
    out.push(...shapeDiff(s[key], a[key], rules, p));
  }
  return out;
}

/** Merges several sample objects into one carrying every key seen (first value wins), for lists of mixed entries. */
export function unionShape(samples: Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of samples) for (const [k, v] of Object.entries(s)) if (!(k in out)) out[k] = v;
  return out;
}

/** Keys that only some of the samples have: optional by the samples' own evidence. */
export function partialKeys(samples: Record<string, unknown>[]): string[] {
  const all = unionShape(samples);
  return Object.keys(all).filter((k) => samples.some((s) => !(k in s)));
}
