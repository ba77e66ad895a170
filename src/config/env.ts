/**
 * `${env:NAME}` references: resolved in every string value of the parsed YAML before validation,
 * so secrets can stay out of the file. `$${` escapes a literal `${`.
 */

export type KeyPath = readonly (string | number)[];

export interface EnvProblem {
  path: KeyPath;
  message: string;
}

const REF_RE = /\$\$\{|\$\{env:([^}]*)\}|\$\{env:[^}]*$/g;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const WHOLE_REF_RE = /^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$/;

/**
 * Environment variables are strings, so `port: ${env:PORT}` yields "8377". Where the schema wants
 * a number or a boolean and the value was exactly one reference, convert it; returns whether it did.
 */
export function coerceEnvValue(tree: unknown, path: KeyPath, expected: string): boolean {
  const parent = path
    .slice(0, -1)
    .reduce<unknown>(
      (node, part) =>
        node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[part] : undefined,
      tree,
    );
  const key = path[path.length - 1];
  if (key === undefined || parent === null || typeof parent !== 'object') return false;
  const record = parent as Record<string | number, unknown>;
  const raw = record[key];
  if (typeof raw !== 'string') return false;
  if (expected === 'number' && /^-?[0-9]+(\.[0-9]+)?$/.test(raw.trim())) record[key] = Number(raw.trim());
  else if (expected === 'boolean' && /^(true|false)$/.test(raw.trim())) record[key] = raw.trim() === 'true';
  else return false;
  return true;
}

/**
 * Returns a copy of `tree` with every reference replaced by the variable's value, plus one problem
 * per unset variable or malformed reference. Keys whose value is YAML null are dropped, so an empty
 * `nodes:` means "use the default" rather than a type error.
 */
export function resolveEnvRefs(
  tree: unknown,
  env: NodeJS.ProcessEnv,
): { value: unknown; problems: EnvProblem[]; wholeRefs: KeyPath[] } {
  const problems: EnvProblem[] = [];
  const wholeRefs: KeyPath[] = [];
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') {
      if (WHOLE_REF_RE.test(node)) wholeRefs.push(path);
      return substitute(node, path, env, problems);
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) {
        if (child === null || child === undefined) continue;
        out[key] = walk(child, [...path, key]);
      }
      return out;
    }
    return node;
  };
  return { value: walk(tree, []), problems, wholeRefs };
}

function substitute(text: string, path: KeyPath, env: NodeJS.ProcessEnv, problems: EnvProblem[]): string {
  if (!text.includes('${')) return text;
  return text.replace(REF_RE, (match: string, name: string | undefined) => {
    if (match === '$${') return '${';
    if (name === undefined || !NAME_RE.test(name)) {
      problems.push({
        path,
        message:
          'malformed reference; write ${env:NAME} with a variable name of letters, digits and "_" (or $${ for a literal ${)',
      });
      return '';
    }
    const value = env[name];
    if (value === undefined) {
      problems.push({
        path,
        message: `environment variable ${name} is not set; export it or put the value in the file`,
      });
      return '';
    }
    return value;
  });
}
