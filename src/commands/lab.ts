/**
 * `vigil lab [--nodes N] [--guests M] [--write-config FILE]`: runs the simulated homelab in the
 * foreground until SIGINT/SIGTERM. The first stdout line is exactly `lab: https://127.0.0.1:PORT`
 * (scripts read it); the rest is for people: nodes, ports, tokens, control API examples.
 */
import { resolve } from 'node:path';
import { startLab, type Lab, type LabOptions } from '../lab/index.js';
import { mayOverwriteLabConfig, writeLabConfig, type WrittenLabConfig } from '../lab/config-writer.js';

export interface LabFlags {
  nodes?: string;
  guests?: string;
  writeConfig?: string;
}

export interface LabCommandIo {
  out(line: string): void;
  err(line: string): void;
  /** Resolves when the lab should stop; default: the first SIGINT or SIGTERM. */
  stopped?: Promise<void>;
  /** Overrides for the lab (tests: short task and boot times). */
  labOptions?: Omit<LabOptions, 'nodes' | 'guests'>;
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<void> {
  return new Promise((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
}

function count(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number | string {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  return /^\d+$/.test(raw) && n >= min && n <= max
    ? n
    : `--${flag}: expected a whole number ${min}–${max}, got "${raw}"`;
}

/** The human-readable description of a running lab, after the first line. */
export function labBanner(lab: Lab, written?: WrittenLabConfig): string[] {
  const nodes = lab.nodesInfo();
  const guests = lab.state.listGuests();
  const vmids = guests.length ? ` (vmids ${guests[0]!.vmid}–${guests[guests.length - 1]!.vmid})` : '';
  const wolPort = nodes[0]?.wolPort;
  const first = nodes[0]?.name ?? 'pve1';
  const vmid = guests[0]?.vmid ?? 100;
  const curl = `curl -sk`;
  const json = `-H 'content-type: application/json' -d`;
  const lines = [
    `cluster ${lab.state.clusterName}: ${nodes.length} node${nodes.length === 1 ? '' : 's'}, ${guests.length} guest${guests.length === 1 ? '' : 's'}${vmids}; tasks take ${lab.state.taskMs} ms, a woken node boots in ${lab.state.bootMs} ms`,
    `proxmox api: ${lab.url}/api2/json`,
    `  token ${lab.token.id} secret ${lab.token.secret} (all privileges)`,
    `  token ${lab.noPrivToken.id} secret ${lab.noPrivToken.secret} (no privileges: 403)`,
    `  tls fingerprint ${lab.fingerprint}`,
    'nodes:',
    ...nodes.map(
      (n) =>
        `  ${n.name}  ssh root@127.0.0.1:${n.sshPort ?? '-'}  host key ${n.hostKeyFingerprint ?? '-'}  mac ${n.mac}`,
    ),
    ...(wolPort !== undefined
      ? [`wake-on-lan: udp 127.0.0.1:${wolPort} (a magic packet for a node's MAC boots it)`]
      : []),
    'control API (loopback only, no token):',
    `  ${curl} ${lab.url}/_lab/state`,
    `  ${curl} -X POST ${lab.url}/_lab/guests/${vmid}/crash`,
    `  ${curl} -X POST ${lab.url}/_lab/guests/${vmid}/lock ${json} '{"lock":"backup"}'`,
    `  ${curl} -X POST ${lab.url}/_lab/nodes/${first}/down        (and .../up)`,
    `  ${curl} -X POST ${lab.url}/_lab/nodes/${first}/services/nginx.service/fail        (and .../restore)`,
    `  ${curl} -X PUT ${lab.url}/_lab/nodes/${first}/usage ${json} '{"diskPercent":95}'`,
  ];
  if (written) {
    lines.push(
      `config: wrote ${written.configFile} (ssh key ${written.privateKeyFile}, CA ${written.caFile})`,
      '  export VIGIL_ASSISTANT_TOKEN=$(openssl rand -hex 32) VIGIL_OPERATOR_TOKEN=$(openssl rand -hex 32)',
      `  vigil check --config ${written.configFile} && vigil serve --config ${written.configFile}`,
    );
  } else {
    lines.push('config: none written; add --write-config FILE for a vigil.yaml pointing at this lab');
  }
  lines.push('lab running; Ctrl-C stops it');
  return lines;
}

/** Runs the command; returns the exit code (2 for bad flags or a config file it must not overwrite). */
export async function runLabCommand(flags: LabFlags, io: LabCommandIo): Promise<number> {
  const nodes = count('nodes', flags.nodes, 3, 1, 99);
  const guests = count('guests', flags.guests, 4, 0, 999);
  for (const v of [nodes, guests]) {
    if (typeof v === 'string') {
      io.err(v);
      return 2;
    }
  }
  const configFile = flags.writeConfig === undefined ? undefined : resolve(flags.writeConfig);
  // Checked before the lab starts, so a refusal never follows a printed lab URL.
  if (configFile !== undefined && !mayOverwriteLabConfig(configFile)) {
    io.err(`refusing to overwrite ${configFile}: it was not written by "vigil lab"; choose another file`);
    return 2;
  }
  const stopped = io.stopped ?? untilSignal();
  const lab = await startLab({ ...io.labOptions, nodes: nodes as number, guests: guests as number });
  try {
    const written = configFile === undefined ? undefined : writeLabConfig(lab, configFile);
    io.out(`lab: ${lab.url}`);
    for (const line of labBanner(lab, written)) io.out(line);
    await stopped;
  } finally {
    await lab.close();
  }
  return 0;
}
