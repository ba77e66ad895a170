// Pins what MCP Inspector's CLI mode (0.15, the code `mcp-inspector --cli` runs) answers against `node dist/cli.js mcp` over stdio: tools/list with output schemas, a green call, invalid arguments as an isError result, an unknown tool as one -32602 line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startTestVigil, type TestVigil } from '../helpers/vigil.js';

const ROOT = join(import.meta.dirname, '..', '..');
const INSPECTOR = createRequire(import.meta.url).resolve('@modelcontextprotocol/inspector-cli');

let vigil: TestVigil;
beforeAll(async () => {
  vigil = await startTestVigil();
});
afterAll(async () => {
  await vigil?.close();
});

/**
 * Runs the Inspector CLI against the built stdio server (run `npm run build` first). The config
 * goes in through VIGIL_CONFIG: the Inspector's launcher takes `--config` for itself.
 */
function inspect(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const argv = [INSPECTOR, '--cli', '-e', `VIGIL_CONFIG=${vigil.configFile}`, 'node', 'dist/cli.js', 'mcp', ...args];
  return new Promise((resolve) => {
    execFile(process.execPath, argv, { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('MCP Inspector CLI over stdio', () => {
  it('lists every tool with an outputSchema', async () => {
    const { code, stdout } = await inspect('--method', 'tools/list');
    expect(code).toBe(0);
    const { tools } = JSON.parse(stdout) as { tools: { name: string; outputSchema?: unknown }[] };
    expect(tools.length).toBeGreaterThan(20);
    expect(tools.filter((t) => t.outputSchema === undefined).map((t) => t.name)).toEqual([]);
  }, 60_000);

  it('calls a green tool and prints its structuredContent', async () => {
    const { code, stdout } = await inspect('--method', 'tools/call', '--tool-name', 'get_monitor_status');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      isError: false,
      structuredContent: { killSwitch: { active: false } },
    });
  }, 60_000);

  it('prints invalid arguments as an isError result naming the key and the fix', async () => {
    const { code, stdout } = await inspect(
      '--method',
      'tools/call',
      '--tool-name',
      'get_node_status',
      '--tool-arg',
      'host=pve1',
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { isError: boolean; content: { text: string }[] };
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(/^invalid arguments: .*Unrecognized key: "host"/);
    expect(result.content[0]!.text).toMatch(
      /\nFix: call get_node_status again with only these arguments: node \(string, required\)\.$/,
    );
    expect((await vigil.core.stores.audit.list({ limit: 1 }))[0]).toMatchObject({
      tool: 'get_node_status',
      decision: 'invalid',
    });
  }, 60_000);

  it('fails an unknown tool with the -32602 prefix once', async () => {
    const { code, stderr } = await inspect('--method', 'tools/call', '--tool-name', 'no_such_tool');
    expect(code).not.toBe(0);
    expect(stderr).toContain('MCP error -32602: unknown tool "no_such_tool"; call tools/list for the available tools');
    expect(stderr).not.toContain('MCP error -32602: MCP error');
  }, 60_000);
});
