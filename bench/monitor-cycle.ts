/**
 * One monitor cycle over a big lab (50 nodes × 40 guests = 2,000 guests): CPU time and wall time
 * of vigil's process per critical cycle (the lab runs in its own process, so its work is not
 * counted), and one routine cycle (services over SSH on every node) for scale.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { loadConfig } from '../src/config/index.js';
import { createCore } from '../src/core.js';
import { createClients } from '../src/clients/index.js';
import { createMonitor } from '../src/monitor/monitor.js';
import { ASSISTANT_TOKEN, OPERATOR_TOKEN, fmt, quantile, type BenchRow } from './common.js';

export interface MonitorCycleOptions {
  nodes: number;
  guests: number;
  cycles: number;
  warmup: number;
}

/** Starts `vigil lab` in a child process and resolves when it has written its config. */
async function startLabProcess(
  dir: string,
  o: MonitorCycleOptions,
): Promise<{ child: ChildProcess; configFile: string }> {
  const configFile = join(dir, 'vigil.yaml');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli.ts',
      'lab',
      '--nodes',
      String(o.nodes),
      '--guests',
      String(o.guests),
      '--write-config',
      configFile,
    ],
    {
      cwd: join(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`vigil lab exited with ${code}`)));
    lines.on('line', (line) => {
      if (line.startsWith('config: wrote')) resolve();
    });
  });
  lines.close();
  child.stdout!.resume();
  return { child, configFile };
}

/** Runs the benchmark and returns its table rows. */
export async function benchMonitorCycle(
  o: MonitorCycleOptions = { nodes: 50, guests: 40, cycles: 20, warmup: 3 },
): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-monitor-'));
  const { child, configFile } = await startLabProcess(dir, o);
  const config = {
    ...loadConfig(configFile, { VIGIL_ASSISTANT_TOKEN: ASSISTANT_TOKEN, VIGIL_OPERATOR_TOKEN: OPERATOR_TOKEN }),
    logging: { level: 'silent' as const },
  };
  const logger = pino({ level: 'silent' });
  const clients = createClients(config, logger);
  const core = createCore({ config, logger, clients });
  const monitor = createMonitor({
    config,
    stores: core.stores,
    bus: core.bus,
    pipeline: core.pipeline,
    clients,
    logger,
    now: Date.now,
  });
  try {
    for (let i = 0; i < o.warmup; i++) await (await monitor.runCycle('critical')).settled;
    const cpu: number[] = [];
    const wall: number[] = [];
    let found = 0;
    for (let i = 0; i < o.cycles; i++) {
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      const r = await monitor.runCycle('critical');
      await r.settled;
      wall.push(performance.now() - w0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      found += r.findings.length;
    }
    const r0 = performance.now();
    const rc0 = process.cpuUsage();
    const routine = await monitor.runCycle('routine');
    await routine.settled;
    const routineWall = performance.now() - r0;
    const rc = process.cpuUsage(rc0);
    const cpuSorted = [...cpu].sort((a, b) => a - b);
    const wallSorted = [...wall].sort((a, b) => a - b);
    const cpuMed = quantile(cpuSorted, 0.5);
    const wallMed = quantile(wallSorted, 0.5);
    const label = `${o.nodes} nodes × ${o.guests} guests`;
    return [
      {
        name: `monitor critical cycle, ${label}: CPU median / max`,
        value: `${fmt(cpuMed, 1)} / ${fmt(cpuSorted[cpuSorted.length - 1]!, 1)} ms`,
        target: '≤ 200 ms',
        pass: cpuMed <= 200,
      },
      {
        name: `monitor critical cycle, ${label}: wall median / max`,
        value: `${fmt(wallMed, 1)} / ${fmt(wallSorted[wallSorted.length - 1]!, 1)} ms`,
        target: '≤ 1,000 ms',
        pass: wallMed <= 1000,
      },
      { name: `monitor critical cycles measured (findings)`, value: `${o.cycles} (${found})` },
      {
        name: `monitor routine cycle, ${label} (SSH services, once): CPU / wall`,
        value: `${fmt((rc.user + rc.system) / 1000, 1)} / ${fmt(routineWall, 1)} ms`,
      },
    ];
  } finally {
    await monitor.drain();
    await core.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await benchMonitorCycle())
    console.log(
      `${row.name}: ${row.value}${row.target ? ` (target ${row.target})${row.pass ? ' ok' : ' MISSED'}` : ''}`,
    );
}
