// Pins redaction: values under secret-looking keys and every known secret value are scrubbed at any depth, so no secret survives serialisation.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRedactor } from '../../src/safety/redact.js';

const TOKEN = 'assistant-token-0123456789abcdef';

describe('redact', () => {
  const redact = createRedactor([TOKEN, 'pve-secret-uuid-0000']);

  it('scrubs values under secret-looking keys at any depth, keeping other members', () => {
    const input = {
      node: 'pve1',
      password: 'hunter2',
      nested: { deeper: [{ apiKey: 'k', private_key: { pem: 'x' }, Authorization: 'Bearer y', keep: 3 }] },
      ssh: { passphrase: 'p', tokenSecret: 's', user: 'root' },
    };
    expect(redact(input)).toEqual({
      node: 'pve1',
      password: '[redacted]',
      nested: { deeper: [{ apiKey: '[redacted]', private_key: '[redacted]', Authorization: '[redacted]', keep: 3 }] },
      ssh: { passphrase: '[redacted]', tokenSecret: '[redacted]', user: 'root' },
    });
  });

  it('scrubs known secret values inside any string, wherever it sits', () => {
    const out = redact({
      command: `curl -H "X: ${TOKEN}" http://x`,
      list: ['a', `${TOKEN}${TOKEN}`],
      n: 1,
      b: true,
      z: null,
    });
    expect(out).toEqual({
      command: 'curl -H "X: [redacted]" http://x',
      list: ['a', '[redacted][redacted]'],
      n: 1,
      b: true,
      z: null,
    });
    expect(redact(`error: token ${TOKEN} rejected`)).toBe('error: token [redacted] rejected');
  });

  it('scrubs a known secret used as an object key (a header map, a record keyed by token)', () => {
    const known = 'f3a9c2d1e8b7a6c5';
    expect(createRedactor([known])({ sessions: { [known]: 'x' } })).toEqual({ sessions: { '[redacted]': 'x' } });
  });

  it('leaves null and absent secret-key values as they are and does not mutate its input', () => {
    const input = { token: null, password: undefined, args: { vmid: 101 } };
    const copy = structuredClone(input);
    expect(redact(input)).toEqual({ token: null, password: undefined, args: { vmid: 101 } });
    expect(input).toEqual(copy);
  });

  it('ignores secrets shorter than 4 characters (masking them would garble every message)', () => {
    expect(createRedactor(['ab'])('cabbage')).toBe('cabbage');
  });

  // Secrets as config allows them: tokens, UUIDs, passphrases. Excluded: strings that occur inside
  // the marker "[redacted]" itself, which would trivially "survive" as part of the marker.
  const secretArb = fc
    .string({
      unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!@#$%^&*+=~ '),
      minLength: 4,
      maxLength: 40,
    })
    .filter((s) => !'[redacted]'.includes(s));

  it('never lets a random secret survive JSON.stringify of the redacted value, wherever it was embedded', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(secretArb, { minLength: 1, maxLength: 3 }),
        fc.jsonValue({ maxDepth: 4 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.string({ maxLength: 10 }),
        (secrets, base, picks, glue) => {
          // Embed each secret somewhere: in a string value, an array element, under an innocent key, as a key.
          const holder: Record<string, unknown> = { base };
          secrets.forEach((s, k) => {
            const where = (picks[k] ?? 0) % 4;
            if (where === 0) holder[`v${k}`] = `${glue}${s}${glue}`;
            else if (where === 1) holder[`a${k}`] = [1, { deep: [`x${s}`] }];
            else if (where === 2) holder[`o${k}`] = { note: s, nested: { more: `${s} and ${s}` } };
            else holder[`k${k}`] = { [`${glue}${s}`]: 'value' };
          });
          const out = JSON.stringify(createRedactor(secrets)(holder));
          for (const s of secrets) expect(out).not.toContain(JSON.stringify(s).slice(1, -1));
        },
      ),
      { numRuns: 500 },
    );
  });
});
