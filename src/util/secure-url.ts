/**
 * The rule for URLs vigil trusts to carry tokens or keys (an OAuth issuer, its JWKS): https, or plain
 * http only on a loopback host, where nothing crosses a network (a local identity provider, the tests).
 */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** True for https://, and for http:// on 127.0.0.1, [::1] or localhost. */
export function isSecureUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}
