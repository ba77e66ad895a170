/** Runs every benchmark and prints one table: `npm run bench`. Never part of `npm test`. */
import { cpus, loadavg } from 'node:os';
import { benchExecuteTool } from './execute-tool.js';
import { benchMcpHttp } from './mcp-http.js';
import { benchMonitorCycle } from './monitor-cycle.js';
import { benchSocketFanout } from './socket-fanout.js';
import { benchDemoRest } from './demo-rest.js';
import type { BenchRow } from './common.js';

function print(rows: BenchRow[]): void {
  const width = Math.max(...rows.map((r) => r.name.length));
  const valueWidth = Math.max(...rows.map((r) => r.value.length));
  for (const r of rows) {
    const verdict = r.pass === undefined ? '' : r.pass ? '  ok' : '  MISSED';
    console.log(
      `${r.name.padEnd(width)}  ${r.value.padStart(valueWidth)}${r.target ? `  (target ${r.target})${verdict}` : ''}`,
    );
  }
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(
  `node ${process.version}, ${cpus().length} cpus (${cpus()[0]?.model ?? '?'}), load average before: ${load()}`,
);
const rows: BenchRow[] = [];
rows.push(...(await benchExecuteTool()));
rows.push(...(await benchMcpHttp()));
rows.push(...(await benchMonitorCycle()));
rows.push(...(await benchSocketFanout()));
rows.push(...(await benchDemoRest()));
console.log('');
print(rows);
console.log(`\nload average after: ${load()}`);
