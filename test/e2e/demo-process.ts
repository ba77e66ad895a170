/** Test helper: runs `vigil demo` from source in a child process and reads what it prints. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = join(import.meta.dirname, '..', '..');

export interface DemoProcess {
  child: ChildProcess;
  /** Daemon base URL, without a trailing slash. */
  url: string;
  /** Lab base URL (https, self-signed by the lab CA in the data dir). */
  labUrl: string;
  lines: string[];
  exited: Promise<number | null>;
  waitLine(pred: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Calls the lab's control API (loopback, no token), trusting the lab CA the demo wrote. */
  lab(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  stop(): Promise<number | null>;
}

/** Starts the demo with `args` (plus --port 0) and waits until it says it is running. */
export async function startDemo(args: string[], env: NodeJS.ProcessEnv, dataDir: string): Promise<DemoProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli.ts', 'demo', '--port', '0', '--data-dir', dataDir, ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const waitLine = (pred: (l: string) => boolean, timeoutMs = 30_000) =>
    new Promise<string>((resolve, reject) => {
      const end = Date.now() + timeoutMs;
      const check = () => {
        const hit = lines.find(pred);
        if (hit !== undefined) resolve(hit);
        else if (child.exitCode !== null) reject(new Error(`demo exited (${child.exitCode}): ${stderr}`));
        else if (Date.now() > end)
          reject(new Error(`no such line after ${timeoutMs} ms:\n${lines.join('\n')}\n${stderr}`));
        else setTimeout(check, 50);
      };
      check();
    });
  const first = await waitLine(() => true);
  if (!/^dashboard: http:\/\/127\.0\.0\.1:\d+\/$/.test(first)) throw new Error(`unexpected first line: ${first}`);
  await waitLine((l) => l.startsWith('demo running'));
  const labLine = lines.find((l) => l.startsWith('lab: '))!;
  const labUrl = labLine.slice('lab: '.length).split(' ')[0]!;
  const ca = readFileSync(join(dataDir, 'vigil.lab-ca.pem'), 'utf8');
  return {
    child,
    url: first.slice('dashboard: '.length).replace(/\/$/, ''),
    labUrl,
    lines,
    exited,
    waitLine,
    lab(method, path, body) {
      return new Promise((resolve, reject) => {
        const req = request(
          `${labUrl}${path}`,
          { method, ca, headers: { 'content-type': 'application/json' } },
          (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
          },
        );
        req.on('error', reject);
        req.end(body === undefined ? undefined : JSON.stringify(body));
      });
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
