// Pins the trusted-URL rule shared by the OAuth config and the OIDC client: https anywhere, http only on loopback.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isSecureUrl } from '../../src/util/secure-url.js';

describe('isSecureUrl', () => {
  it('accepts https on any host', () => {
    fc.assert(fc.property(fc.domain(), (host) => isSecureUrl(new URL(`https://${host}/realm`))));
  });

  it('accepts http only on 127.0.0.1, [::1] and localhost', () => {
    for (const host of ['127.0.0.1:8080', '[::1]', 'localhost:9000'])
      expect(isSecureUrl(new URL(`http://${host}/`))).toBe(true);
    fc.assert(fc.property(fc.domain(), (host) => isSecureUrl(new URL(`http://${host}/`)) === (host === 'localhost')));
    expect(isSecureUrl(new URL('http://192.168.1.10/'))).toBe(false);
    expect(isSecureUrl(new URL('http://127.0.0.2/'))).toBe(false);
  });

  it('refuses other schemes', () => {
    expect(isSecureUrl(new URL('ftp://localhost/'))).toBe(false);
    expect(isSecureUrl(new URL('ws://127.0.0.1/'))).toBe(false);
  });
});
