/**
 * A complete vigil.yaml pointing at a running lab: the Proxmox simulator (token + certificate pin),
 * every node's SSH endpoint (pinned host key, the lab's client key), Wake-on-LAN on the lab's
 * loopback listener, services, cleanup paths and one HTTP check. `vigil lab --write-config` and
 * `vigil demo` write it; tests load it with `loadConfig`.
 *
 * The lab's Proxmox token secret is written literally (it is a simulated lab, and a fresh secret
 * every run); vigil's own tokens stay environment references, as in any real config.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import type { LogLevel } from '../config/types.js';
import type { Lab } from './index.js';
import { RUNAWAY_LOG } from './state.js';

/** First line of every config the lab writes; only such a file may be overwritten. */
export const LAB_CONFIG_MARKER = '# vigil.yaml written by "vigil lab"';

/** Units listed for every lab node: what a homelab operator would want watched. */
export const LAB_SERVICES = ['nginx.service', 'pveproxy.service', 'pvedaemon.service', 'chrony.service'] as const;

/** The directory the lab's simulated application logs live in (world.ts, RUNAWAY_LOG). */
export const LAB_LOG_DIR = dirname(RUNAWAY_LOG);

export interface LabConfigOptions {
  /** Where the lab's SSH client key is (absolute, or relative to the config's directory). */
  privateKeyFile: string;
  /** The lab CA (PEM file); with it an HTTP check against the lab's HTTPS port is written. */
  caFile?: string;
  /** Default `./vigil.db`, next to the config. */
  databasePath?: string;
  /** Which lab token to use: `admin` (default) or `noPriv` (every privileged call gets 403). */
  token?: 'admin' | 'noPriv';
  /** Units per node; default LAB_SERVICES. */
  services?: readonly string[];
  /** Default `info`. */
  logLevel?: LogLevel;
  /** `safety.httpAllow`: hosts `check_http` may probe beyond the configured checks; default none. */
  httpAllow?: readonly string[];
}

/** YAML double-quoted scalar: JSON string syntax is valid YAML and escapes everything needed. */
const q = (s: string) => JSON.stringify(s);

/**
 * The text of a vigil.yaml for `lab`. Throws if the lab's SSH nodes or WoL listener are not
 * running (a lab started with `extraServices: []` has no ports to point at).
 */
export function labConfigYaml(lab: Lab, opts: LabConfigOptions): string {
  const token = opts.token === 'noPriv' ? lab.noPrivToken : lab.token;
  const services = opts.services ?? LAB_SERVICES;
  const lines = [
    LAB_CONFIG_MARKER,
    `# Lab: ${lab.url} — the ports change every run; write this file again after restarting the lab.`,
    "# vigil's own tokens come from the environment:",
    '#   export VIGIL_ASSISTANT_TOKEN=$(openssl rand -hex 32) VIGIL_OPERATOR_TOKEN=$(openssl rand -hex 32)',
    '',
    'server:',
    '  host: 127.0.0.1',
    'auth:',
    '  assistantToken: ${env:VIGIL_ASSISTANT_TOKEN}',
    '  operatorToken: ${env:VIGIL_OPERATOR_TOKEN}',
    'database:',
    `  path: ${q(opts.databasePath ?? './vigil.db')}`,
    'logging:',
    `  level: ${opts.logLevel ?? 'info'}`,
    'safety:',
    '  confirmation: elicit',
    ...(opts.httpAllow?.length ? [`  httpAllow: [${opts.httpAllow.map(q).join(', ')}]`] : []),
    '',
    'proxmox:',
    `  url: ${q(lab.url)}`,
    `  tokenId: ${q(token.id)}`,
    "  # The simulated lab's token secret; a real config reads it from the environment.",
    `  tokenSecret: ${q(token.secret)}`,
    '  tls:',
    `    fingerprint: ${q(lab.fingerprint)}`,
    '',
    'nodes:',
  ];
  for (const n of lab.nodesInfo()) {
    if (n.sshPort === undefined || n.hostKeyFingerprint === undefined || n.wolPort === undefined) {
      throw new Error(`lab node ${n.name} has no SSH or WoL endpoint: start the lab with its SSH and WoL services`);
    }
    lines.push(
      `  - name: ${n.name}`,
      '    ssh:',
      '      host: 127.0.0.1',
      `      port: ${n.sshPort}`,
      '      user: root',
      `      privateKeyFile: ${q(opts.privateKeyFile)}`,
      `      hostKeyFingerprint: ${q(n.hostKeyFingerprint)}`,
      '      commandTimeoutSeconds: 10',
      '    wol:',
      `      mac: ${q(n.mac)}`,
      "      # The lab listens on loopback; on a real LAN this is the subnet's broadcast address.",
      '      address: 127.0.0.1',
      `      port: ${n.wolPort}`,
      `    services: [${services.map(q).join(', ')}]`,
      '    cleanup:',
      `      logPaths: [${q(LAB_LOG_DIR)}]`,
      '      maxAgeDays: 7',
      '      journalVacuumSize: 200M',
      '      packageCache: true',
    );
  }
  if (opts.caFile !== undefined) {
    const first = lab.nodesInfo()[0];
    lines.push(
      '',
      'httpChecks:',
      '  # The lab answers HTTPS on its API port; its state page stands in for a web service.',
      '  - name: lab-web',
      `    url: ${q(`${lab.url}/_lab/state`)}`,
      '    expectStatus: 200',
      '    bodyMatch: vigil-lab',
      '    tls:',
      `      caFile: ${q(opts.caFile)}`,
      ...(first && services.includes('pveproxy.service')
        ? [`    node: ${first.name}`, '    service: pveproxy.service']
        : []),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Files `writeLabConfig` wrote. */
export interface WrittenLabConfig {
  configFile: string;
  privateKeyFile: string;
  caFile: string;
}

/** True when `file` does not exist or was written by the lab (so overwriting loses nothing of the user's). */
export function mayOverwriteLabConfig(file: string): boolean {
  return !existsSync(file) || readFileSync(file, 'utf8').startsWith(LAB_CONFIG_MARKER);
}

function writePrivate(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  // `mode` applies only when the file is created; an older copy keeps its mode otherwise.
  chmodSync(file, 0o600);
}

/**
 * Writes the config to `file`, and beside it the lab's SSH client key (`<name>.lab_ed25519`,
 * mode 0600) and CA (`<name>.lab-ca.pem`). Refuses to overwrite a config the lab did not write.
 */
export function writeLabConfig(
  lab: Lab,
  file: string,
  opts: Omit<LabConfigOptions, 'privateKeyFile' | 'caFile'> = {},
): WrittenLabConfig {
  if (!lab.sshClientKey?.privateKey) throw new Error('the lab has no SSH client key: start it with its SSH service');
  if (!mayOverwriteLabConfig(file)) {
    throw new Error(`refusing to overwrite ${file}: it was not written by "vigil lab"; choose another file`);
  }
  const dir = dirname(file);
  const stem = basename(file, extname(file));
  const privateKeyFile = join(dir, `${stem}.lab_ed25519`);
  const caFile = join(dir, `${stem}.lab-ca.pem`);
  writePrivate(privateKeyFile, lab.sshClientKey.privateKey);
  writeFileSync(caFile, lab.caPem);
  const rel = (p: string) => `./${relative(dir, p)}`;
  // The config holds the lab token's secret: readable by its owner only.
  writePrivate(
    file,
    labConfigYaml(lab, {
      databasePath: `./${stem}.db`,
      ...opts,
      privateKeyFile: rel(privateKeyFile),
      caFile: rel(caFile),
    }),
  );
  return { configFile: file, privateKeyFile, caFile };
}
