/**
 * Loading vigil.yaml: read → parse YAML → resolve ${env:NAME} → validate → normalise → cross-check.
 * Every problem becomes one line of a ConfigError; secrets never appear in those lines.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import { coerceEnvValue, resolveEnvRefs } from './env.js';
import type { KeyPath } from './env.js';
import { formatPath, issueLines, rawSecrets } from './issues.js';
import { crossChecks, normalise } from './normalise.js';
import { configSchema } from './schema.js';
import type { VigilConfig } from './types.js';

/** The config file to use: the `--config` flag, else `VIGIL_CONFIG`, else `./vigil.yaml` (as given, not resolved). */
export function resolveConfigPath(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return flag;
  if (env.VIGIL_CONFIG) return env.VIGIL_CONFIG;
  return './vigil.yaml';
}

/**
 * Reads, validates and normalises a vigil.yaml. Relative paths inside it resolve against its
 * directory. Throws ConfigError listing every problem found, one line each.
 */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): VigilConfig {
  const abs = resolve(file);
  function fail(issues: string[], secrets: readonly string[] = []): never {
    throw new ConfigError(
      abs,
      issues.map((line) => scrub(line, secrets)),
    );
  }

  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    fail([readProblem(file, err)]);
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    // yaml's messages quote source lines, which may hold a literal secret: keep only the first
    // line of each (the description) and scrub whatever secret-looking lines the raw text has.
    fail(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        const where = `line ${pos.line}, column ${pos.col}`;
        const what = (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
        return `${file}: YAML syntax error at ${where}: ${what}`;
      }),
      secretsInText(text),
    );
  }

  let tree: unknown;
  try {
    tree = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    fail(
      [`${file}: YAML error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`],
      secretsInText(text),
    );
  }
  if (tree === null || tree === undefined) {
    fail([`${file}: the file is empty; start from "vigil init --config ${file}"`]);
  }
  if (typeof tree !== 'object' || Array.isArray(tree)) {
    fail([`${file}: expected a mapping of keys (server, auth, safety, ...) at the top level`]);
  }

  const { value, problems, wholeRefs } = resolveEnvRefs(tree, env);
  const secrets = [...rawSecrets(value), ...rawSecrets(tree), ...secretsInText(text)];
  const envLines = problems.map((p) => ({ path: p.path, line: `${formatPath(p.path)}: ${p.message}` }));

  let parsed = configSchema.safeParse(value);
  if (!parsed.success) {
    const coerced = parsed.error.issues.filter(
      (i) =>
        i.code === 'invalid_type' &&
        wholeRefs.some((r) => samePath(r, i.path as KeyPath)) &&
        coerceEnvValue(value, i.path as KeyPath, i.expected),
    );
    if (coerced.length > 0) parsed = configSchema.safeParse(value);
  }
  if (!parsed.success) {
    // A value whose env reference failed would also fail validation; report only the cause.
    const schemaLines = issueLines(parsed.error.issues, value, configSchema).filter(
      (l) => !envLines.some((e) => startsWith(l.path, e.path)),
    );
    fail(
      [...envLines, ...schemaLines].map((l) => l.line),
      secrets,
    );
  }
  if (envLines.length > 0)
    fail(
      envLines.map((l) => l.line),
      secrets,
    );

  const config = normalise(parsed.data, abs);
  const cross = crossChecks(config);
  if (cross.length > 0) fail(cross, secrets);
  return config;
}

/** Every resolved secret in the config, so loggers and the audit log can redact them. */
export function secretValues(config: VigilConfig): string[] {
  const all = [
    config.auth.assistantToken,
    config.auth.operatorToken,
    config.proxmox?.tokenSecret,
    ...config.nodes.map((n) => n.ssh?.passphrase),
    config.notifications.email?.password,
    config.database.url,
    databasePassword(config.database.url),
    ...config.notifications.webhooks.flatMap((w) => [w.url, ...Object.values(w.headers)]),
  ];
  return [...new Set(all.filter((s): s is string => typeof s === 'string' && s.length > 0))];
}

/** The password in a database URL, if any: a secret of its own (a driver error may quote it alone). */
function databasePassword(url: string | undefined): string | undefined {
  if (!url || !URL.canParse(url)) return undefined;
  const password = new URL(url).password;
  return password ? decodeURIComponent(password) : undefined;
}

function readProblem(file: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `${file}: file not found; create one with "vigil init --config ${file}"`;
  if (code === 'EISDIR') return `${file}: is a directory; pass the path of the YAML file with --config`;
  if (code === 'EACCES') return `${file}: permission denied; make it readable by the user running vigil`;
  return `${file}: cannot read it (${code ?? String(err)})`;
}

function samePath(a: KeyPath, b: KeyPath): boolean {
  return a.length === b.length && a.every((p, i) => b[i] === p);
}

function startsWith(path: KeyPath, prefix: KeyPath): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => path[i] === p);
}

/**
 * Values of secret keys read straight from the text, for when the YAML does not parse or a
 * secret sits where a mapping was expected.
 */
function secretsInText(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:assistantToken|operatorToken|tokenSecret|passphrase|password)\s*:\s*(.+)$/gm)) {
    const raw = m[1]!.replace(/\s+#.*$/, '').trim();
    out.push(raw, raw.replace(/^["']|["']$/g, ''));
  }
  return out;
}

/** Replaces any secret (of 4+ characters, below which masking would garble the text) in a line. */
function scrub(line: string, secrets: readonly string[]): string {
  let out = line;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}
