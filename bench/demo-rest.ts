/**
 * The daemon at rest during the demo: `vigil demo --no-chaos` in its own process (lab, daemon,
 * monitor polling the lab on the demo's schedules), measured after a warm-up: resident memory
 * (mean and max of 1 s samples) and CPU over a fixed window, from /proc. The demo process also
 * hosts the simulated lab (Proxmox API, SSH nodes, WoL), so these numbers are an upper bound for
 * the daemon alone. Runs from dist/ when built (what users run), else from src/ through tsx.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { fmt, procStat, type BenchRow } from './common.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Runs the benchmark and returns its table rows. */
export async function benchDemoRest(
  opts: { warmupSeconds: number; seconds: number } = { warmupSeconds: 10, seconds: 30 },
): Promise<BenchRow[]> {
  const dist = join(ROOT, 'dist', 'cli.js');
  const fromDist = existsSync(dist);
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-demo-'));
  const args = [
    ...(fromDist ? [dist] : ['--import', 'tsx', join(ROOT, 'src', 'cli.ts')]),
    'demo',
    '--no-chaos',
    '--port',
    '0',
    '--data-dir',
    join(dataDir, 'd'),
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('demo did not start within 60 s')), 60_000);
      child.once('exit', (code) => reject(new Error(`demo exited early (${code})`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.startsWith('demo running')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await new Promise((r) => setTimeout(r, opts.warmupSeconds * 1000));
    const first = procStat(child.pid!);
    if (!first) return [{ name: 'demo at rest', value: 'no /proc: not measured' }];
    const rss: number[] = [];
    for (let i = 0; i < opts.seconds; i += 1) {
      await new Promise((r) => setTimeout(r, 1000));
      const s = procStat(child.pid!);
      if (s) rss.push(s.rssBytes);
    }
    const last = procStat(child.pid!)!;
    const mb = (b: number) => fmt(b / 1024 / 1024, 1);
    const cpuPercent = ((last.cpuSeconds - first.cpuSeconds) / opts.seconds) * 100;
    const mean = rss.reduce((a, b) => a + b, 0) / rss.length;
    const label = `vigil demo --no-chaos at rest, ${fromDist ? 'dist' : 'src via tsx'}, ${opts.seconds} s after ${opts.warmupSeconds} s`;
    return [
      { name: `resident memory mean / max (${label})`, value: `${mb(mean)} / ${mb(Math.max(...rss))} MiB` },
      { name: `CPU (${label})`, value: `${fmt(cpuPercent, 1)} % of one core` },
    ];
  } finally {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) for (const r of await benchDemoRest()) console.log(`${r.name}: ${r.value}`);
