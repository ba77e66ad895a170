/**
 * From the parsed file to VigilConfig: paths made absolute, MACs and units in one canonical form,
 * then the rules that span fields (unique names, references, distinct tokens).
 */
import { homedir } from 'node:os';
import { dirname, isAbsolute, posix, resolve } from 'node:path';
import type { ParsedConfig } from './schema.js';
import { UNIT_RE } from './fields.js';
import type { NodeConfig, VigilConfig } from './types.js';

/** `~` and `~/x` expand to the home directory; relative paths resolve against `baseDir`. */
export function resolvePath(p: string, baseDir: string): string {
  const expanded = p === '~' ? homedir() : p.startsWith('~/') ? `${homedir()}${p.slice(1)}` : p;
  return isAbsolute(expanded) ? resolve(expanded) : resolve(baseDir, expanded);
}

/** `nginx` → `nginx.service`; names that already carry a unit suffix stay as they are. */
export function normaliseUnit(unit: string): string {
  return UNIT_RE.test(unit) ? unit : `${unit}.service`;
}

/** `AA-BB-CC-DD-EE-FF` → `aa:bb:cc:dd:ee:ff` */
export function normaliseMac(mac: string): string {
  return mac.toLowerCase().replace(/-/g, ':');
}

/** Strips a trailing slash and the `/api2/json` suffix operators often paste with the URL. */
export function normaliseProxmoxUrl(url: string): string {
  return url
    .replace(/\/+$/, '')
    .replace(/\/api2\/json$/, '')
    .replace(/\/+$/, '');
}

/** Builds the typed config; `file` is absolute. */
export function normalise(parsed: ParsedConfig, file: string): VigilConfig {
  const dir = dirname(file);
  const p = parsed.proxmox;
  return {
    file,
    server: parsed.server,
    auth: parsed.auth,
    database: {
      path: resolvePath(parsed.database.path, dir),
      ...(parsed.database.url !== undefined && { url: parsed.database.url }),
    },
    logging: parsed.logging,
    safety: parsed.safety,
    ...(p && {
      proxmox: {
        url: normaliseProxmoxUrl(p.url),
        tokenId: p.tokenId,
        tokenSecret: p.tokenSecret,
        tls: {
          ...(p.tls.caFile !== undefined && { caFile: resolvePath(p.tls.caFile, dir) }),
          ...(p.tls.fingerprint !== undefined && { fingerprint: p.tls.fingerprint.toUpperCase() }),
          insecure: p.tls.insecure,
        },
        timeoutSeconds: p.timeoutSeconds,
        backupStorages: p.backupStorages,
      },
    }),
    nodes: parsed.nodes.map((n): NodeConfig => ({
      name: n.name,
      ...(n.ssh && {
        ssh: {
          ...n.ssh,
          ...(n.ssh.privateKeyFile !== undefined && { privateKeyFile: resolvePath(n.ssh.privateKeyFile, dir) }),
        },
      }),
      ...(n.wol && { wol: { ...n.wol, mac: normaliseMac(n.wol.mac) } }),
      services: n.services.map(normaliseUnit),
      cleanup: { ...n.cleanup, logPaths: n.cleanup.logPaths.map((l) => posix.normalize(l).replace(/(.)\/+$/, '$1')) },
    })),
    httpChecks: parsed.httpChecks.map((c) => ({
      ...c,
      tls: { ...c.tls, ...(c.tls.caFile !== undefined && { caFile: resolvePath(c.tls.caFile, dir) }) },
      ...(c.service !== undefined && { service: normaliseUnit(c.service) }),
    })),
    monitor: parsed.monitor,
    notifications: parsed.notifications,
  };
}

/** Rules that span fields; one line each, naming the path and the fix. Never prints a secret. */
export function crossChecks(config: VigilConfig): string[] {
  const issues: string[] = [];
  if (config.auth.assistantToken === config.auth.operatorToken) {
    issues.push(
      'auth: assistantToken and operatorToken must differ; the operator token approves what the assistant asks for',
    );
  }
  const oauth = config.server.oauth;
  if (oauth?.assistantScope !== undefined && oauth.assistantClaim !== undefined) {
    issues.push('server.oauth: set assistantScope or assistantClaim, not both');
  }
  if (oauth?.operatorScope !== undefined && oauth.operatorClaim !== undefined) {
    issues.push('server.oauth: set operatorScope or operatorClaim, not both');
  }
  if (
    oauth &&
    oauth.operatorScope !== undefined &&
    oauth.operatorScope === (oauth.assistantScope ?? 'vigil:assistant')
  ) {
    issues.push(
      'server.oauth.operatorScope: must differ from the assistant scope; the operator approves what the assistant asks for',
    );
  }
  const tls = config.proxmox?.tls;
  if (tls && [tls.caFile !== undefined, tls.fingerprint !== undefined, tls.insecure].filter(Boolean).length > 1) {
    issues.push('proxmox.tls: set at most one of caFile, fingerprint and insecure: true');
  }
  const nodeIndex = new Map<string, number>();
  config.nodes.forEach((node, i) => {
    const first = nodeIndex.get(node.name.toLowerCase());
    if (first !== undefined) {
      issues.push(`nodes[${i}].name: "${node.name}" is already used by nodes[${first}]; node names must be unique`);
    } else nodeIndex.set(node.name.toLowerCase(), i);
    const ssh = node.ssh;
    if (ssh && ssh.privateKeyFile === undefined && !ssh.agent) {
      issues.push(`nodes[${i}].ssh: no way to authenticate; set privateKeyFile or agent: true`);
    }
    if (ssh && ssh.passphrase !== undefined && ssh.privateKeyFile === undefined) {
      issues.push(`nodes[${i}].ssh.passphrase: only used with privateKeyFile; set privateKeyFile or remove it`);
    }
    const seen = new Set<string>();
    node.services.forEach((unit, j) => {
      if (seen.has(unit)) issues.push(`nodes[${i}].services[${j}]: "${unit}" is listed twice; remove one`);
      seen.add(unit);
    });
  });
  const checkNames = new Map<string, number>();
  config.httpChecks.forEach((check, i) => {
    const first = checkNames.get(check.name);
    if (first !== undefined) {
      issues.push(
        `httpChecks[${i}].name: "${check.name}" is already used by httpChecks[${first}]; check names must be unique`,
      );
    } else checkNames.set(check.name, i);
    if (check.service !== undefined && check.node === undefined) {
      issues.push(`httpChecks[${i}].service: needs node, the node that runs "${check.service}"`);
    }
    if (check.node === undefined) return;
    const node = config.nodes.find((n) => n.name === check.node);
    if (!node) {
      const names = config.nodes.map((n) => n.name);
      issues.push(
        `httpChecks[${i}].node: "${check.node}" is not a configured node; ${names.length ? `use one of ${names.join(', ')}` : 'add it under nodes'}`,
      );
    } else if (check.service !== undefined && !node.services.includes(check.service)) {
      issues.push(
        `httpChecks[${i}].service: "${check.service}" is not in nodes[${config.nodes.indexOf(node)}].services; add it there`,
      );
    }
  });
  return issues;
}
