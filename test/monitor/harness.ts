/** Test harness for the monitor: a lab, a real vigil core (config file, SQLite file, clients) pointed at it, and a monitor with an injected clock. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { createCore, type Core } from '../../src/core.js';
import { createClients } from '../../src/clients/index.js';
import { startLab, type Lab, type LabOptions } from '../../src/lab/index.js';
import { createMonitor, type Monitor, type MonitorDeps } from '../../src/monitor/monitor.js';
import type { NotificationRequest, Notifier } from '../../src/monitor/ports.js';
import { silentLogger, writeTestConfig } from '../helpers/vigil.js';

export interface MonitorLab {
  lab: Lab;
  core: Core;
  monitor: Monitor;
  dir: string;
  /** Notifications the monitor queued. */
  sent: NotificationRequest[];
  /** Moves the monitor's clock forward (lab time keeps running in real time). */
  advance(ms: number): void;
  now(): number;
  /** Runs one cycle of each kind given and waits for the remediations it started. */
  cycle(...kinds: ('critical' | 'routine')[]): Promise<void>;
  /** Another monitor over the same database (a restarted process). */
  restart(overrides?: Partial<MonitorDeps>): Monitor;
  close(): Promise<void>;
}

export interface MonitorLabOptions {
  lab?: LabOptions;
  /** YAML appended under `monitor:` (indented by the caller with two spaces). */
  monitorYaml?: string;
  /** Extra top-level YAML (httpChecks, ...). */
  yaml?: string;
  /** Services each node's config lists. */
  services?: string[];
  /** `nodes[].wol.via`: proxmox wakes nodes through the Proxmox API instead of vigil's own packet. */
  wolVia?: 'direct' | 'proxmox';
  deps?: Partial<MonitorDeps>;
  dir?: string;
}

/** Fast defaults: short verification polls, no back-off, attempts within the hour. */
const MONITOR_DEFAULTS = [
  'monitor:',
  '  schedules: { criticalSeconds: 1, fastSeconds: 1, routineSeconds: 2 }',
  '  runbooks:',
  '    guest.crashed: { verifyTimeoutSeconds: 5, verifyIntervalSeconds: 0.05 }',
  '    node.unreachable: { verifyTimeoutSeconds: 10, verifyIntervalSeconds: 0.1 }',
  '    service.failed: { verifyTimeoutSeconds: 5, verifyIntervalSeconds: 0.05 }',
  '    http.down: { verifyTimeoutSeconds: 5, verifyIntervalSeconds: 0.05 }',
  '    disk.high: { verifyTimeoutSeconds: 2, verifyIntervalSeconds: 0.05 }',
  '    disk.fill_predicted: { verifyTimeoutSeconds: 2, verifyIntervalSeconds: 0.05 }',
  '    guest.unresponsive: { cooldownSeconds: 0, verifyTimeoutSeconds: 1, verifyIntervalSeconds: 0.1 }',
].join('\n');

/** Starts a lab (3 nodes × 4 guests by default, fast tasks) and a monitor over it. */
export async function startMonitorLab(o: MonitorLabOptions = {}): Promise<MonitorLab> {
  const lab = await startLab({ taskMs: 30, bootMs: 150, ...o.lab });
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'vigil-monitor-'));
  const keyFile = join(dir, 'id_ed25519');
  writeFileSync(keyFile, lab.sshClientKey?.privateKey ?? '', { mode: 0o600 });
  const services = o.services ?? ['nginx.service'];
  const nodes = lab
    .nodesInfo()
    .map((n) =>
      [
        `  - name: ${n.name}`,
        `    ssh: { host: 127.0.0.1, port: ${n.sshPort}, user: root, privateKeyFile: ${keyFile}, hostKeyFingerprint: "${n.hostKeyFingerprint}", commandTimeoutSeconds: 5 }`,
        `    wol: { mac: "${n.mac}", address: 127.0.0.1, port: ${n.wolPort}, via: ${o.wolVia ?? 'direct'} }`,
        `    services: [${services.join(', ')}]`,
        '    cleanup: { logPaths: [/var/log/app], maxAgeDays: 7 }',
      ].join('\n'),
    );
  const yaml = [
    'proxmox:',
    `  url: ${lab.url}`,
    `  tokenId: "${lab.token.id}"`,
    `  tokenSecret: ${lab.token.secret}`,
    `  tls: { fingerprint: "${lab.fingerprint}" }`,
    'nodes:',
    ...nodes,
    MONITOR_DEFAULTS,
    o.monitorYaml ?? '',
    o.yaml ?? '',
  ].join('\n');
  const { configFile } = writeTestConfig(dir, { yaml });
  const config = loadConfig(configFile, {});
  let offset = 0;
  const now = () => Date.now() + offset;
  const clients = createClients(config, silentLogger);
  const core = createCore({ config, logger: silentLogger, clients, now });
  const sent: NotificationRequest[] = [];
  const notifier: Notifier = { enqueue: (n) => sent.push(n) };
  const build = (overrides: Partial<MonitorDeps> = {}) =>
    createMonitor({
      config,
      stores: core.stores,
      bus: core.bus,
      pipeline: core.pipeline,
      clients,
      logger: silentLogger,
      now,
      notifier,
      ...o.deps,
      ...overrides,
    });
  const t: MonitorLab = {
    lab,
    core,
    monitor: build(),
    dir,
    sent,
    advance: (ms) => void (offset += ms),
    now,
    async cycle(...kinds) {
      for (const kind of kinds.length ? kinds : (['critical'] as const)) await (await t.monitor.runCycle(kind)).settled;
    },
    restart(overrides) {
      t.monitor = build(overrides);
      return t.monitor;
    },
    async close() {
      await t.monitor.drain();
      await core.close();
      await lab.close();
      if (!o.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}

/** Polls `check` until it returns true, at most `ms` (the bound only keeps a broken test from hanging). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms = 10_000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
