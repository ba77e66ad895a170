// Pins the lab's config writer: the file loads as a valid vigil config pointing at the lab (token, pin, SSH, loopback WoL, services, cleanup, HTTP check), its key is private, and tools work through it.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createClients } from '../../src/clients/index.js';
import { startLab, type Lab } from '../../src/lab/index.js';
import { LAB_CONFIG_MARKER, LAB_LOG_DIR, labConfigYaml, writeLabConfig } from '../../src/lab/config-writer.js';
import { silentLogger, startTestVigil, textOf } from '../helpers/vigil.js';

const env = { VIGIL_ASSISTANT_TOKEN: 'a'.repeat(32), VIGIL_OPERATOR_TOKEN: 'o'.repeat(32) };

describe('lab config writer', () => {
  let lab: Lab;
  let dir: string;

  beforeAll(async () => {
    lab = await startLab({ nodes: 2, guests: 2, taskMs: 20, bootMs: 50 });
    dir = mkdtempSync(join(tmpdir(), 'vigil-labcfg-'));
  });
  afterAll(async () => {
    await lab?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a config that loads and points at every part of the lab', () => {
    const written = writeLabConfig(lab, join(dir, 'vigil.yaml'));
    const config = loadConfig(written.configFile, env);
    expect(config.proxmox).toMatchObject({
      url: lab.url,
      tokenId: lab.token.id,
      tokenSecret: lab.token.secret,
      tls: { fingerprint: lab.fingerprint },
    });
    expect(config.auth).toEqual({ assistantToken: env.VIGIL_ASSISTANT_TOKEN, operatorToken: env.VIGIL_OPERATOR_TOKEN });
    expect(config.database.path).toBe(join(dir, 'vigil.db'));
    const info = lab.nodesInfo();
    expect(config.nodes.map((n) => n.name)).toEqual(info.map((n) => n.name));
    for (const [i, n] of config.nodes.entries()) {
      expect(n.ssh).toMatchObject({
        host: '127.0.0.1',
        port: info[i]!.sshPort,
        user: 'root',
        privateKeyFile: written.privateKeyFile,
        hostKeyFingerprint: info[i]!.hostKeyFingerprint,
      });
      expect(n.wol).toEqual({ mac: info[i]!.mac, address: '127.0.0.1', port: info[i]!.wolPort, via: 'direct' });
      expect(n.services).toContain('nginx.service');
      expect(n.cleanup.logPaths).toEqual([LAB_LOG_DIR]);
      // Every service the config lists exists on the lab node.
      for (const unit of n.services) expect(lab.state.serviceState(n.name, unit)).toBe('active');
      // Old simulated logs lie under the configured path and are older than maxAgeDays.
      expect(
        lab.state
          .logFiles(n.name)
          .some((f) => f.path.startsWith(`${LAB_LOG_DIR}/`) && f.ageDays > n.cleanup.maxAgeDays),
      ).toBe(true);
    }
    expect(config.httpChecks).toEqual([
      expect.objectContaining({
        name: 'lab-web',
        url: `${lab.url}/_lab/state`,
        node: 'pve1',
        tls: { insecure: false, caFile: written.caFile },
      }),
    ]);
  });

  it('keeps vigil tokens in the environment and the key and config private', () => {
    const { configFile, privateKeyFile } = writeLabConfig(lab, join(dir, 'private.yaml'));
    const text = readFileSync(configFile, 'utf8');
    expect(text.startsWith(LAB_CONFIG_MARKER)).toBe(true);
    expect(text).toContain('${env:VIGIL_ASSISTANT_TOKEN}');
    expect(text).toContain('${env:VIGIL_OPERATOR_TOKEN}');
    expect(statSync(privateKeyFile).mode & 0o777).toBe(0o600);
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(privateKeyFile, 'utf8')).toBe(lab.sshClientKey?.privateKey);
  });

  it("overwrites its own config but refuses to overwrite anyone else's", () => {
    const own = join(dir, 'again.yaml');
    writeLabConfig(lab, own);
    expect(() => writeLabConfig(lab, own)).not.toThrow();
    const mine = join(dir, 'mine.yaml');
    writeFileSync(mine, 'server:\n  port: 1\n');
    expect(() => writeLabConfig(lab, mine)).toThrow(/refusing to overwrite .*mine\.yaml/);
    expect(readFileSync(mine, 'utf8')).toBe('server:\n  port: 1\n');
    expect(existsSync(join(dir, 'mine.lab_ed25519'))).toBe(false);
  });

  it('writes the no-privilege token when asked, and no HTTP check without a CA file', () => {
    const file = join(dir, 'noprivs.yaml');
    writeFileSync(file, labConfigYaml(lab, { privateKeyFile: './k', token: 'noPriv' }));
    const config = loadConfig(file, env);
    expect(config.proxmox?.tokenId).toBe(lab.noPrivToken.id);
    expect(config.httpChecks).toEqual([]);
  });

  it('refuses a lab without SSH nodes', async () => {
    const bare = await startLab({ nodes: 1, guests: 0, extraServices: [] });
    try {
      expect(() => labConfigYaml(bare, { privateKeyFile: './k' })).toThrow(/no SSH or WoL endpoint/);
    } finally {
      await bare.close();
    }
  });

  it('drives tools through createClients(config) against the lab', async () => {
    const { configFile } = writeLabConfig(lab, join(dir, 'tools.yaml'));
    const vigil = await startTestVigil({ configFile, env, clients: (c) => createClients(c, silentLogger) });
    try {
      const client = await vigil.connect();
      const cluster = await client.callTool({ name: 'get_cluster_status', arguments: {} });
      expect(cluster.isError).toBeFalsy();
      expect(textOf(cluster)).toContain('vigil-lab');
      const uptime = await client.callTool({
        name: 'run_diagnostic',
        arguments: { node: 'pve2', diagnostic: 'uptime' },
      });
      expect(uptime.isError).toBeFalsy();
      expect(textOf(uptime)).toMatch(/load average/);
      const http = await client.callTool({ name: 'check_http', arguments: { name: 'lab-web' } });
      expect(textOf(http)).toMatch(/^1\/1 up/);
    } finally {
      await vigil.close();
    }
  });
});
