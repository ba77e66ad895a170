/**
 * The long-running commands: `vigil serve` (the daemon over HTTP) and `vigil mcp` (MCP over stdio).
 * Each opens the core, serves until a signal (or stdin's end), then closes what it opened.
 */
import { randomUUID } from 'node:crypto';
import { startDaemon } from '../daemon.js';
import { mcpSurface } from '../mcp/surface.js';
import { pollBus } from '../realtime/bus.js';
import { explainListenError } from './friendly.js';
import { UsageError } from './table.js';
import { fail, openConfig, openCore, str, type Values } from './cli-kit.js';

/** `vigil serve`: the daemon on `--host`/`--port` (or the config's) until SIGINT or SIGTERM. */
export async function serve(v: Values): Promise<number> {
  const config = openConfig(v);
  const rawPort = str(v, 'port');
  const port = rawPort === undefined ? config.server.port : Number(rawPort);
  if (!/^\d+$/.test(rawPort ?? '0') || port > 65535)
    throw new UsageError(`--port: expected a number 0–65535 (0 picks a free port), got "${rawPort}"`);
  const host = str(v, 'host') ?? config.server.host;
  // The daemon competes for leadership when daemons share PostgreSQL (database.url).
  const core = await openCore(config, v, true, true);
  let daemon;
  try {
    daemon = await startDaemon(core, host, port);
  } catch (err) {
    await core.close();
    const why = explainListenError(err, host, port);
    if (why) {
      fail(why);
      return 1;
    }
    throw err;
  }
  const { url } = daemon.http;
  core.logger.info({ url, mcp: `${url}/mcp`, database: config.database.path }, 'vigil serving');
  process.stderr.write(`vigil: serving on ${url} (MCP at ${url}/mcp)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await daemon.stop();
  await core.close();
  return 0;
}

/** Where `vigil serve` with this config serves its dashboard: a wildcard bind is reached on loopback. */
function dashboardUrl(server: { host: string; port: number }): string {
  const host = server.host === '0.0.0.0' || server.host === '::' ? '127.0.0.1' : server.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
}

/**
 * `vigil mcp`: MCP over stdio. The SDK's stdio entry reads the client's opening (a 2026-07-28
 * request, or a 2025 initialize) and pins one server instance of that generation for the connection.
 */
export async function mcpStdio(v: Values): Promise<number> {
  const core = await openCore(openConfig(v), v, true);
  const sessionId = `stdio-${randomUUID()}`;
  // Imported here, not at the top: `vigil serve` loads the MCP layer only for its first /mcp request.
  const [{ serveStdio }, { createMcpSession, createStateCodec, listedTools }] = await Promise.all([
    import('@modelcontextprotocol/server/stdio'),
    import('../mcp/server.js'),
  ]);
  const tools = listedTools(core.pipeline);
  const stateCodec = createStateCodec();
  const handle = serveStdio((ctx) =>
    createMcpSession({
      pipeline: core.pipeline,
      tools,
      sessionId: () => sessionId,
      era: ctx.era,
      stateCodec,
      // The entry routes this instance's change notifications onto the connection's listen streams.
      modernFeed: 'instance',
      approvalPage: (id) => `${dashboardUrl(core.config.server)}/#/approvals/${encodeURIComponent(id)}`,
      ...mcpSurface(core),
    }),
  );
  // Resource notifications follow events the daemon or the monitor write to the shared database.
  const polling = setInterval(() => void pollBus(core.bus, core.logger), 500);
  await new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(polling);
  await handle.close();
  await core.close();
  return 0;
}
