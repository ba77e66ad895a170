/**
 * The processes the open-loop, rest-memory and many-sessions benchmarks measure, started the way a
 * user starts them: `vigil init` then `vigil serve` from a build (`dist`, any checkout's), the
 * simulated lab from the same build, and the bare SDK servers as plain node. All on 127.0.0.1.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { pinned } from './proc.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const ASSISTANT_TOKEN = 'bench-assistant-token-0123456789';
const OPERATOR_TOKEN = 'bench-operator-token-0123456789';

/** A started server: its MCP endpoint, its pid (the one /proc is read for) and how to stop it. */
export interface Running {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return async () => {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  };
}

function spawnCmd(cmd: string[], opts: Parameters<typeof spawn>[2]): ChildProcess {
  const [bin, ...args] = cmd;
  return spawn(bin!, args, opts);
}

/**
 * The bare server transpiled to plain ESM under node_modules/.cache (so its imports resolve and no
 * loader runs in the measured process, as none runs in vigil's dist).
 */
function bareScript(): string {
  const dir = join(ROOT, 'node_modules', '.cache', 'vigil-bench');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'bare-mcp-server.mjs');
  const src = readFileSync(join(ROOT, 'bench', 'bare-mcp-server.ts'), 'utf8');
  const js = ts.transpileModule(src, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  }).outputText;
  writeFileSync(out, js);
  return out;
}

/** Starts the bare SDK server of one generation, pinned to `cpu` when given. */
export async function startBare(generation: 'v1' | 'v2', cpu?: number): Promise<Running> {
  const base = [process.execPath, bareScript(), generation];
  const child = spawnCmd(cpu === undefined ? base : pinned(cpu, base), { stdio: ['ignore', 'pipe', 'inherit'] });
  return announced(child, `bare ${generation}`, 30_000);
}

/** A server that prints `{"url": ...}` as its first stdout line once it listens: that URL, or why not. */
async function announced(child: ChildProcess, what: string, withinMs: number): Promise<Running> {
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${withinMs / 1000} s`)), withinMs);
    child.once('exit', (code) => reject(new Error(`${what} exited early (${code})`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  return { url, pid: child.pid!, stop: stopper(child) };
}

/**
 * The closed-loop MCP benchmark's own server (bench/mcp-http-server.ts `vigil`: vigil's HTTP
 * surface over a bench core with one no-op tool and silent logging, run from source through tsx),
 * pinned to `cpu` when given. Not what users run: the open-loop table shows it beside `vigil serve`
 * so the two can be told apart.
 */
export async function startBenchCore(cpu?: number): Promise<Running> {
  const base = [process.execPath, '--import', 'tsx', join(ROOT, 'bench', 'mcp-http-server.ts'), 'vigil'];
  const child = spawnCmd(cpu === undefined ? base : pinned(cpu, base), {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return announced(child, 'the bench core', 60_000);
}

/** `vigil init --config DIR/vigil.yaml` of that build: the config a new user starts from. */
export function initConfig(dist: string, dir: string): string {
  const file = join(dir, 'vigil.yaml');
  execFileSync(process.execPath, [join(dist, 'cli.js'), 'init', '--config', file], { stdio: 'ignore' });
  return file;
}

/**
 * `vigil serve --config FILE --port 0` of that build with the config's own logging (stdout and
 * stderr go to FILE's directory as serve.log, as they would to a journal), pinned to `cpu` when
 * given; resolves once it says where MCP is served.
 */
export async function startVigil(dist: string, configFile: string, cpu?: number): Promise<Running> {
  const dir = join(configFile, '..');
  const logFile = join(dir, `serve-${Date.now()}.log`);
  const fd = openSync(logFile, 'a');
  const base = [process.execPath, join(dist, 'cli.js'), 'serve', '--config', configFile, '--port', '0'];
  const child = spawnCmd(cpu === undefined ? base : pinned(cpu, base), {
    cwd: dir,
    env: { ...process.env, VIGIL_ASSISTANT_TOKEN: ASSISTANT_TOKEN, VIGIL_OPERATOR_TOKEN: OPERATOR_TOKEN },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const stop = stopper(child);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const m = /MCP at (http:\/\/\S+)\)/.exec(readFileSync(logFile, 'utf8'));
    if (m) return { url: m[1]!, pid: child.pid!, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`vigil serve did not start; its output:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `vigil lab --nodes N --write-config DIR/vigil.yaml` of that build, in its own process. */
export async function startLab(
  dist: string,
  dir: string,
  nodes: number,
): Promise<{ configFile: string; stop(): Promise<void> }> {
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'vigil.yaml');
  const child = spawn(
    process.execPath,
    [join(dist, 'cli.js'), 'lab', '--nodes', String(nodes), '--write-config', configFile],
    { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('vigil lab did not write its config within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`vigil lab exited with ${code}`)));
    lines.on('line', (line) => {
      if (line.startsWith('config: wrote')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  lines.close();
  child.stdout!.resume();
  return { configFile, stop: stopper(child) };
}
