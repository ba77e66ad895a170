// Pins the CLI's own surface as a user meets it: --version, per-command help, one-line usage errors (exit 2) and the shared friendly errors for a busy port, an existing config and a malformed approval id.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/vigil.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-usage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TOKENS = {
  VIGIL_ASSISTANT_TOKEN: 'assistant-token-0123456789',
  VIGIL_OPERATOR_TOKEN: 'operator-token-0123456789',
};
const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
  version: string;
};

describe('vigil usage', { timeout: 90_000 }, () => {
  it('--version prints the package version', async () => {
    const res = await runCli(['--version']);
    expect(res).toMatchObject({ code: 0, stdout: `vigil ${pkg.version}\n`, stderr: '' });
  });

  it('COMMAND --help and help COMMAND print that command’s options, not the general usage', async () => {
    const a = await runCli(['demo', '--help']);
    const b = await runCli(['help', 'demo']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toMatch(/^usage: vigil demo \[options\]/);
    for (const flag of ['--port N', '--no-chaos', '--chaos-every SECONDS', '--data-dir DIR', '--log-format'])
      expect(a.stdout).toContain(flag);
    expect(a.stdout).not.toContain('killswitch');
  });

  it('an unknown option is one line with balanced quotes, exit 2', async () => {
    const res = await runCli(['status', '--verbose']);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('vigil: status: unknown option "--verbose"; run "vigil help status" for its options\n');
  });

  it('init onto an existing file says so and how to go on, not "config error"', async () => {
    const file = join(dir, 'v.yaml');
    expect((await runCli(['init', '--config', file])).code).toBe(0);
    const again = await runCli(['init', '--config', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).not.toMatch(/config error/);
    expect(again.stderr).toContain(`${file} already exists; vigil init never overwrites a config`);
    expect(again.stderr).toContain(`vigil check --config ${file}`);
  });

  it('status says running or not running once, without repeating itself', async () => {
    const file = join(dir, 'status.yaml');
    await runCli(['init', '--config', file]);
    const res = await runCli(['status', '--config', file], TOKENS);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('monitor: not running (no monitor cycle recorded yet; start it with "vigil serve")');
    expect(res.stdout).not.toMatch(/\b([a-z]+) \(?\1\b/i);
  });

  it('a malformed approval id is refused before anything is opened', async () => {
    const res = await runCli(['deny', '12; rm -rf /', '--config', join(dir, 'none.yaml')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^vigil: deny: "12; rm -rf \/" is not an approval id; they look like apr_/);
  });

  it('serve on a busy port explains, as demo does', async () => {
    const file = join(dir, 'serve.yaml');
    await runCli(['init', '--config', file]);
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const res = await runCli(['serve', '--config', file, '--port', String(port), '--log-format', 'json'], TOKENS);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(`vigil: port ${port} on 127.0.0.1 is in use`);
      expect(res.stderr).toContain('pass --port N (0 picks a free port)');
      expect(res.stderr).not.toMatch(/EADDRINUSE/);
    } finally {
      blocker.close();
    }
  });
});
