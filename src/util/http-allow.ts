/**
 * Which URLs `check_http` may probe ad hoc. Default: only the URLs of configured `httpChecks`, so an
 * assistant cannot use vigil to scan internal addresses. `safety.httpAllow` widens this with host
 * names (`grafana.lan`, `*.lan`), IP addresses and CIDR blocks (`10.0.0.0/24`, `fd00::/8`).
 * A CIDR or IP entry matches URLs whose host is written as an IP address; a host name entry matches
 * that name (the probe does not follow redirects, so the allowed URL is the only one reached).
 */
import { BlockList, isIP } from 'node:net';

/** What an allow entry must look like, for config messages. */
export const HTTP_ALLOW_EXPECTED =
  'expected a host name, IP address or CIDR block, e.g. "grafana.lan", "*.lan", "192.168.1.20" or "10.0.0.0/24"';

const HOST_NAME_RE = /^(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/i;

/** Whether `entry` is a valid `safety.httpAllow` entry. */
export function isHttpAllowEntry(entry: string): boolean {
  const slash = entry.indexOf('/');
  if (slash >= 0) {
    const family = isIP(entry.slice(0, slash));
    const prefix = entry.slice(slash + 1);
    if (family === 0 || !/^\d{1,3}$/.test(prefix)) return false;
    return Number(prefix) <= (family === 4 ? 32 : 128);
  }
  return isIP(entry) !== 0 || (entry.length <= 253 && HOST_NAME_RE.test(entry));
}

/** The policy for ad-hoc probes, built once from the config. */
export interface HttpAllowPolicy {
  /** Why `url` may not be probed, or null when it may. */
  refusal(url: string): string | null;
}

/** The host of a URL as `isIP` and name matching want it (no IPv6 brackets, lower case). */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/** Builds the policy from the configured checks' URLs and `safety.httpAllow` (entries already validated). */
export function createHttpAllowPolicy(configuredUrls: readonly string[], allow: readonly string[]): HttpAllowPolicy {
  const exact = new Set(configuredUrls.map((u) => new URL(u).href));
  const blocks = new BlockList();
  const names: string[] = [];
  for (const entry of allow) {
    const [address, prefix] = entry.split('/');
    const family = isIP(address!);
    if (family === 0) names.push(entry.toLowerCase());
    else if (prefix === undefined) blocks.addAddress(address!, family === 4 ? 'ipv4' : 'ipv6');
    else blocks.addSubnet(address!, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
  }
  const nameAllowed = (host: string) =>
    names.some((n) => (n.startsWith('*.') ? host.endsWith(n.slice(1)) : host === n));

  return {
    refusal(raw) {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return `invalid URL ${JSON.stringify(raw)}`;
      }
      if (exact.has(url.href)) return null;
      const host = hostOf(url);
      const family = isIP(host);
      const allowed = family === 0 ? nameAllowed(host) : blocks.check(host, family === 4 ? 'ipv4' : 'ipv6');
      if (allowed) return null;
      return (
        `check_http may not probe ${url.origin}: only the URLs of configured httpChecks` +
        `${allow.length ? ' and hosts in safety.httpAllow' : ''} are allowed; ` +
        `add "${host}" (or its network as a CIDR) to safety.httpAllow to allow it`
      );
    },
  };
}
