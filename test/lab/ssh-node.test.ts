// Pins the lab's simulated SSH nodes: vigil's own commands answered from the lab state, everything else refused with 127, offline nodes refusing connections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import {
  buildCommand,
  parseDf,
  parseDu,
  parseFoundFiles,
  parseFree,
  parseSystemctlShow,
  parseTop,
  parseUptime,
  type CommandSpec,
} from '../../src/clients/commands/index.js';
import { createSshPool, type SshPool, type SshTarget } from '../../src/clients/ssh/index.js';
import { startLab, type Lab } from '../../src/lab/index.js';

describe('lab ssh nodes', () => {
  let lab: Lab;
  let pool: SshPool;
  const target = (node: string): SshTarget => {
    const info = lab.nodesInfo().find((n) => n.name === node);
    return {
      name: node,
      host: '127.0.0.1',
      port: info?.sshPort ?? 0,
      user: 'root',
      privateKey: lab.sshClientKey?.privateKey,
      hostKeyFingerprint: info?.hostKeyFingerprint ?? '',
    };
  };
  const exec = (node: string, spec: CommandSpec) => pool.exec(target(node), buildCommand(spec), { timeoutMs: 5000 });

  beforeAll(async () => {
    lab = await startLab({ nodes: 2, guests: 2, bootMs: 50 });
    pool = createSshPool({ logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await pool?.close();
    await lab?.close();
  });

  it('publishes a port, host key fingerprint and client key per node', () => {
    for (const n of lab.nodesInfo()) {
      expect(n.sshPort).toBeGreaterThan(0);
      expect(n.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    }
    expect(lab.sshClientKey?.privateKey).toContain('OPENSSH PRIVATE KEY');
  });

  it('answers the fixed diagnostics from the lab state', async () => {
    const usage = lab.state.usage('pve1');
    const df = parseDf((await exec('pve1', { kind: 'df' })).stdout).find((d) => d.mount === '/');
    expect(df).toMatchObject({ totalBytes: usage.disk.total, usedBytes: usage.disk.used });
    const mem = parseFree((await exec('pve1', { kind: 'free' })).stdout);
    expect(mem).toMatchObject({ totalBytes: usage.memory.total, usedBytes: usage.memory.used });
    expect(parseUptime((await exec('pve1', { kind: 'uptime' })).stdout).load1).toBeGreaterThan(0);
    expect(parseTop((await exec('pve1', { kind: 'top', count: 3 })).stdout)).toHaveLength(3);
    const journal = await exec('pve1', { kind: 'journal', unit: 'pveproxy.service', lines: 1 });
    expect(journal.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('reports a failed service and restarts it', async () => {
    lab.state.setServiceState('pve2', 'pveproxy.service', 'failed');
    const active = await exec('pve2', { kind: 'is_active', unit: 'pveproxy.service' });
    expect(active).toMatchObject({ stdout: 'failed\n', exitCode: 3 });
    expect(
      parseSystemctlShow((await exec('pve2', { kind: 'show', unit: 'pveproxy.service' })).stdout).activeState,
    ).toBe('failed');
    expect((await exec('pve2', { kind: 'status', unit: 'pveproxy.service' })).exitCode).toBe(3);
    expect((await exec('pve2', { kind: 'restart', unit: 'pveproxy.service' })).exitCode).toBe(0);
    expect(lab.state.serviceState('pve2', 'pveproxy.service')).toBe('active');
    const unknown = await exec('pve2', { kind: 'restart', unit: 'nope.service' });
    expect(unknown.exitCode).toBe(5);
    expect(unknown.stderr).toContain('not found');
  });

  it('cleans old logs, the journal and the package cache, freeing lab disk', async () => {
    const before = lab.state.usage('pve1').disk.used;
    const spec = { kind: 'old_logs', dir: '/var/log/app', allowlist: ['/var/log'], maxAgeDays: 7 } as const;
    const planned = parseFoundFiles((await exec('pve1', { ...spec, delete: false })).stdout);
    expect(planned.length).toBeGreaterThan(0);
    expect(lab.state.usage('pve1').disk.used).toBe(before);
    const deleted = parseFoundFiles((await exec('pve1', { ...spec, delete: true })).stdout);
    expect(deleted).toEqual(planned);
    const journal = parseDu((await exec('pve1', { kind: 'measure', target: 'journal' })).stdout)[0]?.bytes ?? 0;
    await exec('pve1', { kind: 'vacuum_journal', size: '100M' });
    expect(lab.state.journalBytes('pve1')).toBe(Math.min(journal, 100 * 1024 * 1024));
    await exec('pve1', { kind: 'clean_packages' });
    expect(lab.state.packageCacheBytes('pve1')).toBe(0);
    expect(lab.state.usage('pve1').disk.used).toBeLessThan(before);
    const missing = await exec('pve1', { ...spec, dir: '/var/log/nothing', delete: true });
    expect(missing.exitCode).toBe(1);
  });

  it('refuses anything that is not a vigil command with exit 127', async () => {
    const r = await exec('pve1', { kind: 'run', text: 'rm -rf /' });
    expect(r.exitCode).toBe(127);
    expect((await exec('pve1', { kind: 'run', text: 'hostname' })).stdout).toBe('pve1\n');
  });

  it('refuses connections while a node is off, and answers again after it is back', async () => {
    expect((await exec('pve2', { kind: 'uptime' })).exitCode).toBe(0);
    lab.state.setNodeOnline('pve2', false);
    await expect(exec('pve2', { kind: 'uptime' })).rejects.toMatchObject({ code: 'refused' });
    lab.state.setNodeOnline('pve2', true);
    expect((await exec('pve2', { kind: 'uptime' })).exitCode).toBe(0);
  });

  it('is refused by vigil when the host key does not match', async () => {
    const t = { ...target('pve1'), hostKeyFingerprint: lab.nodesInfo()[1]?.hostKeyFingerprint ?? '' };
    await expect(
      pool.exec({ ...t, name: 'pve1-wrong' }, buildCommand({ kind: 'uptime' }), { timeoutMs: 5000 }),
    ).rejects.toMatchObject({
      code: 'host_key',
    });
  });
  it('opens nothing once closed: a late caller is refused instead of keeping the process alive', async () => {
    const late = createSshPool({ logger: pino({ level: 'silent' }) });
    expect((await late.exec(target('pve1'), buildCommand({ kind: 'uptime' }), { timeoutMs: 5000 })).exitCode).toBe(0);
    await late.close();
    await expect(
      late.exec(target('pve1'), buildCommand({ kind: 'uptime' }), { timeoutMs: 5000 }),
    ).rejects.toMatchObject({ code: 'aborted', message: expect.stringContaining('SSH client is closed') });
  });
});
