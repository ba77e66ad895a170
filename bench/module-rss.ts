/**
 * Where vigil's resident memory comes from, by module, without touching the daemon: a fresh node
 * process per row that imports one package (or vigil's compiled layers, cumulatively) and reports
 * its RSS after a full GC. Packages are measured one at a time over node alone, so shared
 * dependencies (zod under the SDKs, say) appear in each row that pulls them in, and each row
 * includes the ~2 MB the module loader takes for the first package a process imports.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchRow } from './common.js';
import { mb } from './proc.js';

/** Each package on its own; better-sqlite3 opens a database so its native addon is loaded. */
const PACKAGES: [label: string, code: string][] = [
  ['express', "await import('express');"],
  ['socket.io', "await import('socket.io');"],
  [
    '@modelcontextprotocol/sdk 1.x server + Streamable HTTP',
    "await import('@modelcontextprotocol/sdk/server/mcp.js'); await import('@modelcontextprotocol/sdk/server/streamableHttp.js');",
  ],
  [
    '@modelcontextprotocol/server + /node 2.x',
    "await import('@modelcontextprotocol/server'); await import('@modelcontextprotocol/node');",
  ],
  ['better-sqlite3 (a :memory: db open)', "const { default: D } = await import('better-sqlite3'); new D(':memory:');"],
  ['ssh2', "await import('ssh2');"],
  ['pino', "await import('pino');"],
  ['zod', "await import('zod');"],
  ['prom-client', "await import('prom-client');"],
  ['nodemailer', "await import('nodemailer');"],
  ['node-cron', "await import('node-cron');"],
  ['jose', "await import('jose');"],
  ['yaml', "await import('yaml');"],
];

/**
 * vigil's own compiled modules, each row importing the ones above it too (so: cumulative); the
 * last two the daemon loads only on first use: express with its routes (the first request other
 * than /mcp and /events) and the MCP layer (the first /mcp request).
 */
const LAYERS = ['config/index.js', 'core.js', 'api/app.js', 'daemon.js', 'api/express-app.js', 'api/mcp-http.js'];

/** RSS (bytes) of a node process that ran `code` (ESM, top-level await) from `cwd`, after GC. */
function rssAfter(cwd: string, code: string): number {
  const script = `${code}\nglobalThis.gc(); await new Promise((r) => setTimeout(r, 200)); globalThis.gc();\nprocess.stdout.write(String(process.memoryUsage().rss));`;
  return Number(
    execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { cwd, encoding: 'utf8' }),
  );
}

/** The median of three processes, so one slow page-in does not decide a row. */
function rss3(cwd: string, code: string): number {
  const xs = [rssAfter(cwd, code), rssAfter(cwd, code), rssAfter(cwd, code)].sort((a, b) => a - b);
  return xs[1]!;
}

/** Rows: node alone, each package's increment over it, then vigil's layers of `dist` cumulatively. */
export function benchModuleRss(dist: string): BenchRow[] {
  const root = join(dist, '..');
  const base = rss3(root, '');
  const rows: BenchRow[] = [{ name: 'RSS by module: node alone', value: `${mb(base)} MB` }];
  for (const [label, code] of PACKAGES)
    rows.push({ name: `RSS by module: + ${label} (alone)`, value: `+${mb(rss3(root, code) - base)} MB` });
  let code = '';
  let prev = base;
  for (const layer of LAYERS) {
    const file = join(dist, layer);
    if (!existsSync(file)) continue;
    code += `await import(${JSON.stringify(pathToFileURL(file).href)});\n`;
    const now = rss3(root, code);
    rows.push({
      name: `RSS by module: + vigil dist/${layer} (cumulative)`,
      value: `${mb(now)} MB (+${mb(now - prev)})`,
    });
    prev = now;
  }
  return rows;
}
