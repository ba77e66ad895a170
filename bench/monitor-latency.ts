/**
 * The monitor on its real schedules (default 15 s critical): time from a crash in the lab to the
 * start request (remediation.started) and to verified recovery (remediation.succeeded); then the
 * daemon's CPU and resident memory at rest watching a 10-node lab. The lab runs in its own process.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { loadConfig } from '../src/config/index.js';
import { createCore } from '../src/core.js';
import { createClients } from '../src/clients/index.js';
import { startMonitorService } from '../src/monitor/daemon.js';
import { ASSISTANT_TOKEN, OPERATOR_TOKEN, fmt, procStat, type BenchRow } from './common.js';

async function startLab(
  dir: string,
  nodes: number,
  guests: number,
): Promise<{ child: ChildProcess; configFile: string; url: string }> {
  const configFile = join(dir, 'vigil.yaml');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli.ts',
      'lab',
      '--nodes',
      String(nodes),
      '--guests',
      String(guests),
      '--write-config',
      configFile,
    ],
    {
      cwd: join(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  let url = '';
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`vigil lab exited with ${code}`)));
    lines.on('line', (line) => {
      if (line.startsWith('lab: ')) url = line.slice(5);
      if (line.startsWith('config: wrote')) resolve();
    });
  });
  lines.close();
  child.stdout!.resume();
  return { child, configFile, url };
}

/** POSTs to the lab's loopback control API (its certificate is the lab's own; this is a bench on 127.0.0.1). */
function labControl(url: string, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${path}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

const ROOT = join(import.meta.dirname, '..');
/** Inside the repository so the compiled daemon resolves node_modules; ignored by git with node_modules. */
const DIST = join(ROOT, 'node_modules', '.cache', 'vigil-bench-dist');
/** Compiles vigil, runs `vigil serve` against the lab, and measures it from /proc after a settling minute is over. */
async function daemonAtRest(configFile: string, seconds: number): Promise<{ cpuPct: number; rssMb: number }> {
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', DIST],
    { cwd: ROOT },
  );
  const daemon = spawn(process.execPath, [join(DIST, 'cli.js'), 'serve', '--config', configFile, '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, VIGIL_ASSISTANT_TOKEN: ASSISTANT_TOKEN, VIGIL_OPERATOR_TOKEN: OPERATOR_TOKEN },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  try {
    await new Promise((r) => setTimeout(r, 20_000));
    const a = procStat(daemon.pid);
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const b = procStat(daemon.pid);
    if (!a || !b) throw new Error('vigil serve exited before it could be measured');
    return {
      cpuPct: (((b.cpuSeconds - a.cpuSeconds) * 1000) / (performance.now() - w0)) * 100,
      rssMb: b.rssBytes / 1024 ** 2,
    };
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
  }
}

/** Runs the benchmark and returns its table rows. */
export async function benchMonitorLatency(o = { crashes: 3, restSeconds: 60 }): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-latency-'));
  const { child, configFile, url } = await startLab(dir, 10, 4);
  const config = {
    ...loadConfig(configFile, { VIGIL_ASSISTANT_TOKEN: ASSISTANT_TOKEN, VIGIL_OPERATOR_TOKEN: OPERATOR_TOKEN }),
    logging: { level: 'silent' as const },
  };
  const logger = pino({ level: 'silent' });
  const core = createCore({ config, logger, clients: createClients(config, logger) });
  const service = startMonitorService(core);
  const interval = config.monitor.schedules.criticalSeconds * 1000;
  try {
    const toRequest: number[] = [];
    const toRecovery: number[] = [];
    for (let i = 0; i < o.crashes; i++) {
      const vmid = 100 + i * 4; // one guest per node, none of them HA-managed
      const started = new Promise<number>((r) => {
        const off = core.bus.subscribe((e) => {
          if (e.type === 'remediation.started' && e.incidentKey === `guest.crashed:${vmid}`) {
            off();
            r(performance.now());
          }
        });
      });
      const done = new Promise<number>((r) => {
        const off = core.bus.subscribe((e) => {
          if (e.type === 'remediation.succeeded' && e.incidentKey === `guest.crashed:${vmid}`) {
            off();
            r(performance.now());
          }
        });
      });
      const t0 = performance.now();
      await labControl(url, `/_lab/guests/${vmid}/crash`);
      toRequest.push((await started) - t0);
      toRecovery.push((await done) - t0);
    }
    await service.stop();
    const rest = await daemonAtRest(configFile, o.restSeconds);
    const worst = Math.max(...toRequest);
    return [
      {
        name: `crash → start request, default schedule (${o.crashes} crashes): each`,
        value: toRequest.map((x) => `${fmt(x)} ms`).join(' / '),
        target: `≤ ${fmt(interval + 250)} ms`,
        pass: worst <= interval + 250,
      },
      { name: 'crash → verified recovery: each', value: toRecovery.map((x) => `${fmt(x)} ms`).join(' / ') },
      {
        name: `vigil serve (compiled) at rest, 10-node lab, ${o.restSeconds} s: CPU`,
        value: `${fmt(rest.cpuPct, 2)} % of a core`,
        target: '≤ 1 %',
        pass: rest.cpuPct <= 1,
      },
      {
        name: 'vigil serve (compiled) at rest: resident memory',
        value: `${fmt(rest.rssMb, 1)} MB`,
        target: '≤ 80 MB',
        pass: rest.rssMb <= 80,
      },
    ];
  } finally {
    await service.stop();
    await core.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await benchMonitorLatency())
    console.log(
      `${row.name}: ${row.value}${row.target ? ` (target ${row.target})${row.pass ? ' ok' : ' MISSED'}` : ''}`,
    );
}
