/**
 * `vigil check`: after the config loaded, tests connectivity to everything it names — the Proxmox
 * API (TLS trust + token), each node's SSH (pinned host key + `uptime`), each Wake-on-LAN target
 * (settings only: no packet is sent, a check must not power anything on), each HTTP check and, with
 * server.oauth, the identity provider's discovery document and signing keys.
 * One line per check as it finishes, a remedy line under each failure, a summary line last.
 * Exit 0 when all pass, 1 when any fails (config errors exit 2 before this runs).
 */
import { isIPv4 } from 'node:net';
import type { Logger } from 'pino';
import { buildCommand, parseUptime } from '../clients/commands/index.js';
import { createHttpProber, type HttpProber } from '../clients/http-probe.js';
import { proxmoxClientFromConfig } from '../clients/proxmox/index.js';
import { createSshPool, sshTargetFor, type SshPool } from '../clients/ssh/index.js';
import { normalizeMac } from '../clients/wol.js';
import { probeIssuer } from '../clients/oidc.js';
import type { HttpCheckConfig, NodeConfig, OAuthConfig, VigilConfig } from '../config/types.js';
import { httpRemedy, proxmoxRemedy, sshRemedy } from './check-remedies.js';

export const CHECK_KINDS = ['proxmox', 'ssh', 'wol', 'http', 'oauth'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

/** The outcome of one check. */
export interface CheckResult {
  kind: CheckKind;
  /** What was checked: the URL, `pve1 root@host:22`, ... */
  subject: string;
  ok: boolean;
  detail: string;
  /** For failures: what to do about it. */
  remedy?: string;
  /** For passes that deserve attention (insecure TLS, a unicast WoL address). */
  note?: string;
}

export interface CheckDeps {
  logger: Logger;
  /** Default: a pool made here and closed at the end. */
  ssh?: SshPool;
  http?: HttpProber;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function checkProxmox(config: VigilConfig, logger: Logger): Promise<CheckResult> {
  const px = config.proxmox!;
  const subject = `${px.url} (token ${px.tokenId})`;
  const note = px.tls.insecure
    ? 'proxmox.tls.insecure is set: the certificate is NOT verified; pin proxmox.tls.fingerprint instead'
    : undefined;
  let client;
  try {
    client = proxmoxClientFromConfig(px, logger)!;
  } catch (err) {
    // Building the client reads tls.caFile.
    return {
      kind: 'proxmox',
      subject,
      ok: false,
      detail: message(err),
      remedy: `check proxmox.tls.caFile (${px.tls.caFile ?? 'none'}): the file must exist and hold the CA in PEM`,
    };
  }
  try {
    const s = await client.clusterStatus();
    const offline = s.nodes.filter((n) => !n.online).map((n) => n.name);
    const cluster = s.cluster
      ? `cluster ${s.cluster.name}, ${s.cluster.quorate ? 'quorate' : 'NOT quorate'}`
      : 'standalone node';
    const detail = `${cluster}, ${s.nodes.length - offline.length}/${s.nodes.length} nodes online${offline.length ? ` (offline: ${offline.join(', ')})` : ''}`;
    return { kind: 'proxmox', subject, ok: true, detail, ...(note ? { note } : {}) };
  } catch (err) {
    return { kind: 'proxmox', subject, ok: false, detail: message(err), remedy: proxmoxRemedy(err, px) };
  } finally {
    client.close();
  }
}

async function checkSsh(node: NodeConfig, pool: SshPool): Promise<CheckResult> {
  const ssh = node.ssh!;
  const subject = `${node.name} ${ssh.user}@${ssh.host}:${ssh.port}`;
  try {
    const r = await pool.exec(sshTargetFor(node.name, ssh), buildCommand({ kind: 'uptime' }), {
      timeoutMs: ssh.commandTimeoutSeconds * 1000,
    });
    if (r.exitCode !== 0) {
      const why = (r.stderr.trim() || r.stdout.trim()).split('\n')[0] ?? '';
      return {
        kind: 'ssh',
        subject,
        ok: false,
        detail: `logged in, but uptime exited ${r.exitCode ?? r.signal}${why ? `: ${why}` : ''}`,
        remedy: `check the login shell and PATH of ${ssh.user} on ${node.name}`,
      };
    }
    let detail = 'logged in, uptime ran';
    try {
      const u = parseUptime(r.stdout);
      detail = `up ${u.up}, load ${u.load1} ${u.load5} ${u.load15}`;
    } catch {
      // An uptime without load averages still proves the login; the raw line says enough.
      detail = `logged in: ${r.stdout.trim().slice(0, 120)}`;
    }
    return { kind: 'ssh', subject, ok: true, detail };
  } catch (err) {
    return { kind: 'ssh', subject, ok: false, detail: message(err), remedy: sshRemedy(err, node) };
  }
}

/** What kind of IPv4 destination a WoL address is; null when no magic packet could reach a host through it. */
export function wolDestination(
  address: string,
): 'loopback' | 'limited broadcast' | 'subnet broadcast' | 'unicast' | null {
  if (!isIPv4(address)) return null;
  const [a, , , d] = address.split('.').map(Number) as [number, number, number, number];
  if (address === '255.255.255.255') return 'limited broadcast';
  if (a === 0 || (a >= 224 && a <= 239)) return null;
  if (a === 127) return 'loopback';
  return d === 255 ? 'subnet broadcast' : 'unicast';
}

/** Validates a node's WoL settings against the config; sends nothing. */
export function checkWol(node: NodeConfig, config: VigilConfig): CheckResult {
  const wol = node.wol!;
  const subject = `${node.name} ${wol.mac} → ${wol.address}:${wol.port}`;
  const fail = (detail: string, remedy: string): CheckResult => ({ kind: 'wol', subject, ok: false, detail, remedy });
  let mac: string;
  try {
    mac = normalizeMac(wol.mac);
  } catch (err) {
    return fail(message(err), `set nodes[${node.name}].wol.mac to the NIC's MAC ("ip link" on the node)`);
  }
  if (/^(00:){5}00$|^(ff:){5}ff$/.test(mac) || (parseInt(mac.slice(0, 2), 16) & 1) === 1) {
    return fail(
      `${mac} is not a network card's address (zero, broadcast or multicast)`,
      `set nodes[${node.name}].wol.mac to the NIC's MAC ("ip link" on the node)`,
    );
  }
  const twin = config.nodes.find((n) => n !== node && n.wol && normalizeMac(n.wol.mac) === mac);
  if (twin)
    return fail(
      `same MAC as nodes[${twin.name}]`,
      `each node needs its own NIC's MAC; check nodes[${node.name}].wol.mac and nodes[${twin.name}].wol.mac`,
    );
  const kind = wolDestination(wol.address);
  if (!kind)
    return fail(
      `${wol.address} cannot carry a magic packet`,
      `set nodes[${node.name}].wol.address to the subnet's broadcast address (e.g. 192.168.1.255)`,
    );
  if (!Number.isInteger(wol.port) || wol.port < 1 || wol.port > 65535) {
    return fail(`port ${wol.port} is not a UDP port`, `set nodes[${node.name}].wol.port to 9 (or 7)`);
  }
  const note =
    kind === 'unicast'
      ? `${wol.address} is a unicast address: a sleeping host is reached only while the switch still knows its MAC; prefer the subnet's broadcast address`
      : undefined;
  return {
    kind: 'wol',
    subject,
    ok: true,
    detail: `settings valid, ${kind} destination (no packet sent)`,
    ...(note ? { note } : {}),
  };
}

async function checkHttp(c: HttpCheckConfig, prober: HttpProber): Promise<CheckResult> {
  const subject = `${c.name} ${c.url}`;
  const r = await prober.probe({
    url: c.url,
    expectStatus: c.expectStatus,
    ...(c.bodyMatch !== undefined ? { bodyMatch: c.bodyMatch } : {}),
    timeoutMs: c.timeoutSeconds * 1000,
    tls: c.tls,
  });
  const note = c.tls.insecure
    ? `httpChecks[${c.name}].tls.insecure is set: the certificate is not verified`
    : undefined;
  if (r.ok)
    return { kind: 'http', subject, ok: true, detail: `${r.status} in ${r.durationMs} ms`, ...(note ? { note } : {}) };
  return { kind: 'http', subject, ok: false, detail: r.error ?? `status ${r.status}`, remedy: httpRemedy(r, c) };
}

/** The identity provider /mcp trusts (server.oauth): its discovery document and a non-empty JWKS. */
async function checkOAuth(oauth: OAuthConfig): Promise<CheckResult> {
  const subject = `issuer ${oauth.issuer}`;
  try {
    const { jwksUri, keys } = await probeIssuer(oauth.issuer);
    if (keys === 0) {
      const remedy = 'give the provider a signing key; until then no access token can be verified';
      return { kind: 'oauth', subject, ok: false, detail: `${jwksUri} lists no signing keys`, remedy };
    }
    return { kind: 'oauth', subject, ok: true, detail: `${keys} signing key${keys === 1 ? '' : 's'} at ${jwksUri}` };
  } catch (err) {
    const remedy = `server.oauth.issuer must be the provider's issuer exactly (trailing slash included), reachable from this host; compare with the "issuer" of its /.well-known/openid-configuration`;
    return { kind: 'oauth', subject, ok: false, detail: message(err), remedy };
  }
}

/** How many checks `runChecks` will run for this config. */
export function countChecks(config: VigilConfig): number {
  return (
    (config.proxmox ? 1 : 0) +
    config.nodes.filter((n) => n.ssh).length +
    config.nodes.filter((n) => n.wol).length +
    config.httpChecks.length +
    (config.server.oauth ? 1 : 0)
  );
}

/** Runs every check in order (Proxmox, SSH, WoL, HTTP, OAuth), reporting each as it finishes. */
export async function runChecks(
  config: VigilConfig,
  deps: CheckDeps,
  onResult: (r: CheckResult) => void = () => {},
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const report = (r: CheckResult) => {
    results.push(r);
    onResult(r);
  };
  const pool = deps.ssh ?? createSshPool({ logger: deps.logger });
  const prober = deps.http ?? createHttpProber();
  try {
    if (config.proxmox) report(await checkProxmox(config, deps.logger));
    for (const node of config.nodes) if (node.ssh) report(await checkSsh(node, pool));
    for (const node of config.nodes) if (node.wol) report(checkWol(node, config));
    for (const c of config.httpChecks) report(await checkHttp(c, prober));
    if (config.server.oauth) report(await checkOAuth(config.server.oauth));
  } finally {
    if (!deps.ssh) await pool.close();
  }
  return results;
}

/** The printed lines of one result: `ok    ssh      pve1 root@host:22 — up 3 days, ...` and, for a failure, its remedy. */
export function formatResult(r: CheckResult): string[] {
  const lines = [`${(r.ok ? 'ok' : 'FAIL').padEnd(5)} ${r.kind.padEnd(8)} ${r.subject} — ${r.detail}`];
  if (r.remedy) lines.push(`      remedy: ${r.remedy}`);
  if (r.note) lines.push(`      note: ${r.note}`);
  return lines;
}

/** `vigil check` on a loaded config; returns the exit code. */
export async function runCheckCommand(
  config: VigilConfig,
  io: { out(line: string): void; logger: Logger },
): Promise<number> {
  const total = countChecks(config);
  io.out(`config ok: ${config.file}; ${total} check${total === 1 ? '' : 's'} to run`);
  if (total === 0) {
    io.out('nothing to check: the config has no proxmox section, no node with ssh or wol, and no httpChecks');
    return 0;
  }
  const results = await runChecks(config, { logger: io.logger }, (r) => formatResult(r).forEach((l) => io.out(l)));
  const failed = results.filter((r) => !r.ok).length;
  io.out(`result: ${results.length - failed} ok, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}
