// Pins the SSH, service, diagnostic, cleanup and HTTP tools end to end against the lab (and run_command's output cap against real sshd): failed service restarted to active, dry-run cleanup changes nothing while a real one frees bytes (an oversized log truncated after a compressed copy), an offline node fails with the SSH reason, one audit row per call.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createClients } from '../../src/clients/index.js';
import type { Lab } from '../../src/lab/index.js';
import { RUN_COMMAND_MAX_OUTPUT } from '../../src/mcp/tools/diagnostics.js';
import { RUNAWAY_LOG } from '../../src/lab/state.js';
import { silentLogger, startTestVigil, type TestVigil } from '../helpers/vigil.js';
import { sshdAvailable, startSshd, type RunningSshd } from '../helpers/sshd.js';
import { call, confirmingClient, labControl, startFastLab, startLabVigil, type LabVigil } from './tools-lab.js';

describe('SSH tools against the lab', () => {
  let lab: Lab;
  let lv: LabVigil;
  let client: Client;
  let red: Client;
  const disk = (node: string) => {
    const n = lab.state.snapshot().nodes.find((x) => x.name === node)!;
    return {
      logs: n.logs,
      journalBytes: n.journalBytes,
      packageCacheBytes: n.packageCacheBytes,
      used: n.usage.disk.used,
    };
  };

  beforeAll(async () => {
    lab = await startFastLab();
    lv = await startLabVigil(lab, { httpAllow: ['127.0.0.1'] });
    client = await lv.vigil.connect();
    red = (await confirmingClient(lv.vigil)).client;
  });
  afterEach(() => {
    for (const n of lab.state.listNodes()) lab.state.setNodeOnline(n.name, true);
  });
  afterAll(async () => {
    await lv?.close();
    await lab?.close();
  });

  it('check_service reads every configured unit, or one; an unlisted unit is refused', async () => {
    const all = await call(lv.vigil, client, 'check_service', { node: 'pve1' });
    expect(all.text.split('\n')).toEqual([
      'pve1',
      'nginx.service: active (running)',
      'pveproxy.service: active (running)',
      'pvedaemon.service: active (running)',
      'chrony.service: active (running)',
    ]);
    const one = await call(lv.vigil, client, 'check_service', { node: 'pve1', service: 'nginx' });
    expect(one.data.services[0]).toMatchObject({ unit: 'nginx.service', activeState: 'active' });
    const unlisted = await call(lv.vigil, client, 'check_service', { node: 'pve1', service: 'postfix.service' });
    expect(unlisted).toMatchObject({ isError: true, audit: { outcome: 'error' } });
    expect(unlisted.text).toBe(
      'failed to check postfix.service on pve1: not in nodes[pve1].services (configured: nginx.service, pveproxy.service, pvedaemon.service, chrony.service)',
    );
  });

  it('restart_service brings a failed service back to active', async () => {
    await labControl(lab, 'POST', '/_lab/nodes/pve2/services/nginx.service/fail');
    const seen = await call(lv.vigil, client, 'check_service', { node: 'pve2', service: 'nginx.service' });
    expect(seen.text).toContain('nginx.service: failed (failed)');
    const r = await call(lv.vigil, client, 'restart_service', { node: 'pve2', service: 'nginx.service' });
    expect(r).toMatchObject({
      isError: false,
      text: 'restarted nginx.service on pve2: active (running)',
      audit: { tier: 'yellow', outcome: 'ok' },
    });
    expect(lab.state.serviceState('pve2', 'nginx.service')).toBe('active');
  });

  it('an offline node fails with the SSH reason', async () => {
    await labControl(lab, 'POST', '/_lab/nodes/pve2/down');
    const r = await call(lv.vigil, client, 'restart_service', { node: 'pve2', service: 'nginx.service' });
    expect(r).toMatchObject({ isError: true, audit: { outcome: 'error' } });
    expect(r.text).toMatch(
      /^failed to restart nginx\.service on pve2: pve2 \(127\.0\.0\.1:\d+\) (reset|closed) the connection/,
    );
    const diag = await call(lv.vigil, client, 'run_diagnostic', { node: 'pve2', diagnostic: 'uptime' });
    expect(diag.text).toMatch(/^failed to run uptime on pve2: /);
  });

  it('run_diagnostic runs each fixed command and parses what it can', async () => {
    const up = await call(lv.vigil, client, 'run_diagnostic', { node: 'pve1', diagnostic: 'uptime' });
    expect(up.data.uptime.load1).toBeGreaterThan(0);
    expect(up.audit).toMatchObject({ tier: 'green', outcome: 'ok' });
    const df = await call(lv.vigil, client, 'run_diagnostic', { node: 'pve1', diagnostic: 'disk' });
    expect(df.data.filesystems.some((f: { mount: string }) => f.mount === '/')).toBe(true);
    expect(
      (await call(lv.vigil, client, 'run_diagnostic', { node: 'pve1', diagnostic: 'memory' })).data.memory.totalBytes,
    ).toBeGreaterThan(0);
    expect(
      (await call(lv.vigil, client, 'run_diagnostic', { node: 'pve1', diagnostic: 'top_processes', count: 3 })).data
        .processes,
    ).toHaveLength(3);
    const journal = await call(lv.vigil, client, 'run_diagnostic', {
      node: 'pve1',
      diagnostic: 'journal',
      service: 'nginx.service',
      lines: 5,
    });
    expect(journal.text).toContain('Started nginx.service.');
    await labControl(lab, 'POST', '/_lab/nodes/pve1/services/chrony.service/fail');
    const status = await call(lv.vigil, client, 'run_diagnostic', {
      node: 'pve1',
      diagnostic: 'service_status',
      service: 'chrony.service',
    });
    expect(status).toMatchObject({ isError: false, data: { exitCode: 3 } });
    expect(status.text).toContain('Active: failed');
    await labControl(lab, 'POST', '/_lab/nodes/pve1/services/chrony.service/restore');
    const missing = await call(lv.vigil, client, 'run_diagnostic', { node: 'pve1', diagnostic: 'journal' });
    expect(missing).toMatchObject({
      isError: true,
      text: 'journal needs a service (a systemd unit such as nginx.service)',
    });
  });

  it('run_command (red, confirmed) runs and reports the exit code', async () => {
    const r = await call(lv.vigil, red, 'run_command', { node: 'pve1', command: 'hostname' });
    expect(r).toMatchObject({
      isError: false,
      text: 'exit 0\nstdout:\npve1\n',
      audit: { tier: 'red', decision: 'allowed', outcome: 'ok' },
    });
    const unknown = await call(lv.vigil, red, 'run_command', { node: 'pve1', command: 'reboot-the-world' });
    expect(unknown).toMatchObject({ isError: false, data: { exitCode: 127 } });
  });

  it('cleanup_disk: a dry run changes nothing, a real run frees the bytes it reports', async () => {
    const before = disk('pve1');
    const dry = await call(lv.vigil, client, 'cleanup_disk', { node: 'pve1', dryRun: true });
    expect(dry).toMatchObject({ isError: false, data: { dryRun: true } });
    expect(dry.text).toMatch(/^dry run: pve1 would free [\d.]+ MiB\n/);
    expect(dry.data.freedBytes).toBeGreaterThan(0);
    expect(disk('pve1')).toEqual(before);

    const real = await call(lv.vigil, client, 'cleanup_disk', { node: 'pve1' });
    expect(real).toMatchObject({ isError: false, audit: { tier: 'yellow', outcome: 'ok' } });
    expect(real.data.freedBytes).toBe(dry.data.freedBytes);
    const after = disk('pve1');
    expect(before.used - after.used).toBe(real.data.freedBytes);
    expect(after.logs.every((f) => f.ageDays <= 7)).toBe(true);
    expect(after.journalBytes).toBeLessThanOrEqual(200 * 1024 ** 2);
    expect(after.packageCacheBytes).toBe(0);
  });

  it('cleanup_disk: an oversized log is gzipped to a copy and truncated; the dry run lists it and changes nothing', async () => {
    lab.state.setUsage('pve2', { diskPercent: 95 });
    const before = disk('pve2');
    const size = before.logs.find((f) => f.path === RUNAWAY_LOG)!.sizeBytes;
    const dry = await call(lv.vigil, client, 'cleanup_disk', { node: 'pve2', dryRun: true, steps: ['large_logs'] });
    expect(dry.data.steps[0].files).toContainEqual({ path: RUNAWAY_LOG, bytes: size, sizeBefore: size, copyBytes: 0 });
    expect(dry.text).toMatch(/oversized logs in \/var\/log\/app \(> 100 MiB\): would free/);
    expect(disk('pve2')).toEqual(before);

    const real = await call(lv.vigil, client, 'cleanup_disk', { node: 'pve2', steps: ['large_logs'] });
    expect(real).toMatchObject({ isError: false, audit: { tier: 'yellow', outcome: 'ok' } });
    const after = disk('pve2');
    expect(after.logs.find((f) => f.path === RUNAWAY_LOG)!.sizeBytes).toBe(0);
    const copy = after.logs.find((f) => f.path.startsWith(`${RUNAWAY_LOG}.`) && f.path.endsWith('.gz'))!;
    expect(copy.path).toMatch(/\.log\.\d{8}T\d{6}Z\.gz$/);
    expect(real.data.steps[0].files).toContainEqual({
      path: RUNAWAY_LOG,
      bytes: size - copy.sizeBytes,
      sizeBefore: size,
      copyBytes: copy.sizeBytes,
    });
    expect(before.used - after.used).toBe(real.data.freedBytes);
  });

  it('check_http: the configured check is up, a closed port of an allowed host is a DOWN result, other hosts are refused', async () => {
    const up = await call(lv.vigil, client, 'check_http', { name: 'lab-web' });
    expect(up.text).toMatch(/^1\/1 up\nUP lab-web https:\/\/127\.0\.0\.1:\d+\/_lab\/state → 200 in \d+ ms$/);
    const down = await call(lv.vigil, client, 'check_http', { url: 'http://127.0.0.1:1/', timeoutSeconds: 2 });
    expect(down).toMatchObject({ isError: false });
    expect(down.text).toMatch(/^0\/1 up\nDOWN .*connection refused by 127\.0\.0\.1:1$/);
    const refused = await call(lv.vigil, client, 'check_http', { url: 'http://127.0.0.2:1/', timeoutSeconds: 2 });
    expect(refused).toMatchObject({ isError: true });
    expect(refused.text).toMatch(/may not probe http:\/\/127\.0\.0\.2:1: .*add "127\.0\.0\.2" .* to safety\.httpAllow/);
    const unknown = await call(lv.vigil, client, 'check_http', { name: 'nope' });
    expect(unknown).toMatchObject({ isError: true, text: 'unknown HTTP check "nope"; configured checks: lab-web' });
  });
});

const available = sshdAvailable();
describe.skipIf(!available)('run_command against real sshd', () => {
  let sshd: RunningSshd;
  let vigil: TestVigil;
  let red: Client;

  beforeAll(async () => {
    sshd = await startSshd();
    vigil = await startTestVigil({
      yaml: [
        'nodes:',
        '  - name: real',
        '    ssh:',
        `      host: ${sshd.host}`,
        `      port: ${sshd.port}`,
        `      user: ${JSON.stringify(sshd.user)}`,
        `      privateKeyFile: ${JSON.stringify(sshd.privateKeyFile)}`,
        `      hostKeyFingerprint: ${JSON.stringify(sshd.hostKeyFingerprint)}`,
      ].join('\n'),
      clients: (config) => createClients(config, silentLogger),
    });
    red = (await confirmingClient(vigil)).client;
  });
  afterAll(async () => {
    await vigil?.close();
    await sshd?.stop();
  });

  it('caps the output the assistant gets and says it was truncated', async () => {
    const r = await call(vigil, red, 'run_command', { node: 'real', command: "head -c 300000 /dev/zero | tr '\\0' x" });
    expect(r.isError).toBe(false);
    expect(r.data.truncated).toBe(true);
    expect(r.text).toMatch(/^exit \S+ \(output truncated\)\nstdout:\nx+/);
    expect(r.data.stdout.length).toBeGreaterThan(0);
    expect(r.data.stdout.length).toBeLessThanOrEqual(RUN_COMMAND_MAX_OUTPUT);
    expect(r.audit).toMatchObject({ tier: 'red', outcome: 'ok' });
  });
});
