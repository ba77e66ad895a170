// Pins the process logger: one readable line per entry with --log-format pretty (a terminal's default), one JSON object per line with json or when stderr is not a terminal, secrets scrubbed either way, nothing on stdout.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { prettyLogs } from '../src/logger.js';

/** Logs one warning in a child process with the given format; returns its stdout and stderr. */
function logOnce(format: string): Promise<{ stdout: string; stderr: string }> {
  const script = `import('./src/logger.ts').then((m) => m.createLogger('info', ['s3cret-value'], process.argv[1]).warn({ node: 'pve3', token: 's3cret-value' }, 'ssh connection error'))`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, format], {
      cwd: join(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve({ stdout, stderr }));
  });
}

describe('createLogger', { timeout: 60_000 }, () => {
  it('pretty: a readable line, no JSON, the secret scrubbed', async () => {
    const { stdout, stderr } = await logOnce('pretty');
    expect(stdout).toBe('');
    expect(stderr).toMatch(/WARN.*ssh connection error/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('pve3');
    expect(stderr.trimStart().startsWith('{')).toBe(false);
    expect(stderr).not.toContain('s3cret-value');
  });

  it('json, and auto when stderr is not a terminal: one JSON object per line', async () => {
    for (const format of ['json', 'auto']) {
      const { stdout, stderr } = await logOnce(format);
      expect(stdout).toBe('');
      const line = JSON.parse(stderr.trim()) as Record<string, unknown>;
      expect(line).toMatchObject({ level: 40, msg: 'ssh connection error', node: 'pve3' });
      expect(stderr).not.toContain('s3cret-value');
    }
  });

  it('auto is pretty exactly on a terminal', () => {
    expect(prettyLogs('auto', true)).toBe(true);
    expect(prettyLogs('auto', false)).toBe(false);
    expect(prettyLogs('json', true)).toBe(false);
    expect(prettyLogs('pretty', false)).toBe(true);
  });
});
