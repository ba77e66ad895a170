/**
 * The load generator of the open-loop benchmark, in its own process (the bench pins it to another
 * core than the server): `node --import tsx bench/loadgen.ts '<json LoadSpec>'` runs autocannon once
 * and prints one JSON line (LoadResult). It reads /proc for itself and for the server around the
 * run, so the window of the CPU figures is exactly the load window, and the bench can show that
 * the generator used clearly less than a core (it is not the bottleneck).
 */
import autocannon from 'autocannon';
import { sample } from './proc.js';

export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  seconds: number;
  /** Requests per second over all connections; absent = closed loop (each connection sends as fast as answered). */
  rate?: number;
  serverPid: number;
}

export interface LoadResult {
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  wallSeconds: number;
  p50ms: number;
  p99ms: number;
  serverTicks: number;
  serverRssBytes: number;
  loadgenTicks: number;
}

const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;
// A unique JSON-RPC id per request (the SDK maps each response to its stream by request id).
// autocannon's own idReplacement is not used: it sizes Content-Length for longer ids than its
// id generator makes, so the server waits for bytes that never come.
let nextId = 0;
const [head, tail] = spec.body.split('"[<id>]"');
if (tail === undefined) throw new Error('the body has no "[<id>]" placeholder');
const server0 = sample(spec.serverPid);
const self0 = sample('self');
const t0 = performance.now();
const result = await autocannon({
  url: spec.url,
  method: 'POST',
  headers: spec.headers,
  requests: [{ setupRequest: (req) => ({ ...req, body: `${head}${(nextId += 1)}${tail}` }) }],
  connections: spec.connections,
  duration: spec.seconds,
  ...(spec.rate ? { overallRate: spec.rate } : {}),
});
const wallSeconds = (performance.now() - t0) / 1000;
const server1 = sample(spec.serverPid);
const self1 = sample('self');
if (!server0 || !server1 || !self0 || !self1) throw new Error('no /proc for the server or the load generator');
const out: LoadResult = {
  ok2xx: result['2xx'],
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  wallSeconds,
  p50ms: result.latency.p50,
  p99ms: result.latency.p99,
  serverTicks: server1.cpuTicks - server0.cpuTicks,
  serverRssBytes: server1.rssBytes,
  loadgenTicks: self1.cpuTicks - self0.cpuTicks,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
