// Pins that no ConfigError message ever contains a secret value, whatever the secret and whatever the mistake.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { ConfigError } from '../../src/errors.js';
import { writeConfig } from './helpers.js';

const GOOD = 'good-operator-token-0123';
const FP = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';

/** Printable secrets long enough that they cannot appear in a message template by chance. */
const secretArb = (min: number, max: number) =>
  fc
    .string({ minLength: min, maxLength: max })
    .filter((s) => s.trim() === s && /[A-Za-z0-9]/.test(s) && !s.includes('${'));

/** Each builds a broken file around the secret; `q` is the secret as a YAML double-quoted string. */
const BROKEN: ((q: string) => string)[] = [
  (q) => `auth:\n  assistantToken: ${q}\n  operatorToken: ${q}\n`,
  (q) => `auth:\n  assistantToken: ${q}\n  operatorToken: ${GOOD}\nserver: { port: 0 }\n`,
  (q) => `auth:\n  assistantToken: ${q} ]\n  operatorToken: ${GOOD}\n`,
  (q) => `auth:\n  assistantToken: ${q}\n  operatorToken: ${GOOD}\n  assistantToken: ${q}\n`,
  (q) => `auth:\n  assistantToken: [${q}]\n  operatorToken: { x: ${q} }\n`,
  (q) =>
    `auth:\n  assistantToken: ${GOOD}x\n  operatorToken: ${GOOD}\nproxmox:\n  url: http://127.0.0.1\n  tokenId: bad\n  tokenSecret: ${q}\n  tls: { insecure: true, caFile: x }\n`,
  (q) =>
    `auth:\n  assistantToken: ${GOOD}x\n  operatorToken: ${GOOD}\nnodes:\n  - name: a\n    ssh: { host: h, hostKeyFingerprint: "${FP}", passphrase: ${q} }\n`,
];

function messagesOf(text: string, env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(writeConfig(text), env);
  } catch (err) {
    if (err instanceof ConfigError) return [err.message, ...err.issues];
    throw err;
  }
  throw new Error('expected the config to be rejected, but it loaded');
}

describe('secrets in config errors', () => {
  it('never appear when written literally in a broken file', () => {
    fc.assert(
      fc.property(secretArb(6, 15), fc.integer({ min: 0, max: BROKEN.length - 1 }), (secret, i) => {
        for (const message of messagesOf(BROKEN[i]!(JSON.stringify(secret)), {})) expect(message).not.toContain(secret);
      }),
      { numRuns: 200 },
    );
  });

  it('never appear when they come from the environment', () => {
    fc.assert(
      fc.property(secretArb(6, 40), fc.integer({ min: 0, max: BROKEN.length - 1 }), (secret, i) => {
        const env = { SECRET: secret };
        for (const message of messagesOf(BROKEN[i]!('"${env:SECRET}"'), env)) expect(message).not.toContain(secret);
      }),
      { numRuns: 200 },
    );
  });

  it('are described by length instead', () => {
    const messages = messagesOf(`auth:\n  assistantToken: "hunter2"\n  operatorToken: ${GOOD}\n`, {});
    expect(messages).toContain(
      'auth.assistantToken: expected at least 16 characters (e.g. from "openssl rand -hex 32"), got a 7-character value',
    );
  });
});
