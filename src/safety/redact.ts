/**
 * Redaction for anything written to the audit log or logs: values under secret-looking keys and
 * every known secret value (tokens from config) wherever it appears in a string.
 */

const SECRET_KEY = /(token|secret|password|passphrase|private_?key|api_?key|authorization)/i;
const REDACTED = '[redacted]';

export type Redactor = (value: unknown) => unknown;

/** Builds a redactor that also scrubs the given secret values (shorter than 4 chars are ignored). */
export function createRedactor(secrets: readonly string[]): Redactor {
  const known = secrets.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  const scrubString = (text: string): string => {
    let out = text;
    for (const secret of known) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return scrubString(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, member] of Object.entries(value)) {
        out[scrubString(key)] =
          SECRET_KEY.test(key) && member !== undefined && member !== null ? REDACTED : walk(member);
      }
      return out;
    }
    return value;
  };
  return walk;
}
