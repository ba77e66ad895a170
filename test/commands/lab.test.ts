// Pins `vigil lab`: its first stdout line is exactly "lab: https://127.0.0.1:PORT", the config it writes points at that lab, it runs until SIGTERM, and bad flags or a foreign config file exit 2.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { runCli } from '../helpers/vigil.js';
import { spawnCli } from './cli-process.js';

const env = { VIGIL_ASSISTANT_TOKEN: 'a'.repeat(32), VIGIL_OPERATOR_TOKEN: 'o'.repeat(32) };

/** GET over HTTPS trusting only `ca`; resolves with the status and body. */
function get(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('vigil lab', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-labcmd-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the lab URL first, writes a config for it, and stops on SIGTERM', async () => {
    const file = join(dir, 'vigil.yaml');
    const proc = spawnCli(['lab', '--nodes', '2', '--guests', '1', '--write-config', file]);
    try {
      await proc.waitFor(/^lab running/);
      const first = proc.lines[0] ?? '';
      expect(first).toMatch(/^lab: https:\/\/127\.0\.0\.1:\d+$/);
      const url = first.slice('lab: '.length);
      expect(proc.lines).toContain('nodes:');
      expect(
        proc.lines.filter((l) => /^ {2}pve\d {2}ssh root@127\.0\.0\.1:\d+ {2}host key SHA256:/.test(l)),
      ).toHaveLength(2);
      expect(proc.lines.some((l) => /^wake-on-lan: udp 127\.0\.0\.1:\d+/.test(l))).toBe(true);
      expect(proc.lines).toContain(`  curl -sk ${url}/_lab/state`);
      expect(proc.lines.some((l) => l.startsWith(`config: wrote ${file}`))).toBe(true);

      const config = loadConfig(file, env);
      expect(config.proxmox?.url).toBe(url);
      expect(config.nodes.map((n) => n.name)).toEqual(['pve1', 'pve2']);
      const state = await get(`${url}/_lab/state`, readFileSync(join(dir, 'vigil.lab-ca.pem'), 'utf8'));
      expect(state.status).toBe(200);
      expect(JSON.parse(state.body).nodes).toHaveLength(2);
    } finally {
      expect(await proc.stop('SIGTERM')).toBe(0);
    }
  });

  it('refuses to overwrite a config it did not write, before starting anything', async () => {
    const file = join(dir, 'mine.yaml');
    writeFileSync(file, 'server:\n  port: 1\n');
    const r = await runCli(['lab', '--write-config', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('refusing to overwrite');
    expect(readFileSync(file, 'utf8')).toBe('server:\n  port: 1\n');
  });

  it('rejects a bad size with exit 2', async () => {
    const r = await runCli(['lab', '--nodes', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--nodes: expected a whole number 1–99, got "0"');
  });
});
