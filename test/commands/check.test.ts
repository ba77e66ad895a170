// Pins `vigil check` against the lab: all OK exits 0; a down node, a wrong host key or certificate pin, a bad or unprivileged token and an unreachable API each fail with a remedy (exit 1); config errors exit 2; no WoL packet is ever sent.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type VigilConfig } from '../../src/config/index.js';
import { startLab, type Lab } from '../../src/lab/index.js';
import { writeLabConfig } from '../../src/lab/config-writer.js';
import { checkWol, formatResult, runChecks, wolDestination, type CheckResult } from '../../src/commands/check.js';
import { httpRemedy } from '../../src/commands/check-remedies.js';
import { runCli, silentLogger } from '../helpers/vigil.js';

const env = { VIGIL_ASSISTANT_TOKEN: 'a'.repeat(32), VIGIL_OPERATOR_TOKEN: 'o'.repeat(32) };
const LINE = /^(ok {3}|FAIL ) (proxmox|ssh|wol|http) +\S.* — .+$/;

describe('vigil check against the lab', () => {
  let lab: Lab;
  let dir: string;
  let file: string;
  let text: string;

  /** Writes a variant of the lab config and loads it. */
  function variant(name: string, edit: (yaml: string) => string): { file: string; config: VigilConfig } {
    const f = join(dir, name);
    writeFileSync(f, edit(text));
    return { file: f, config: loadConfig(f, env) };
  }
  const check = (config: VigilConfig) => runChecks(config, { logger: silentLogger });
  const only = (results: CheckResult[], kind: string, subject = '') =>
    results.filter((r) => r.kind === kind && r.subject.startsWith(subject));

  beforeAll(async () => {
    lab = await startLab({ nodes: 2, guests: 1, taskMs: 20, bootMs: 50 });
    dir = mkdtempSync(join(tmpdir(), 'vigil-check-'));
    file = writeLabConfig(lab, join(dir, 'vigil.yaml')).configFile;
    text = readFileSync(file, 'utf8');
  });
  afterEach(() => {
    for (const n of lab.state.listNodes()) lab.state.setNodeOnline(n.name, true);
  });
  afterAll(async () => {
    await lab?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes everything through the CLI and exits 0', async () => {
    const r = await runCli(['check', '--config', file], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`config ok: ${file}; 6 checks to run`);
    const checks = lines.slice(1, -1);
    expect(checks).toHaveLength(6);
    for (const l of checks) expect(l).toMatch(LINE);
    expect(checks.map((l) => l.split(/ +/)[1])).toEqual(['proxmox', 'ssh', 'ssh', 'wol', 'wol', 'http']);
    expect(checks[0]).toContain('cluster vigil-lab, quorate, 2/2 nodes online');
    expect(checks[1]).toMatch(/^ok {4}ssh {6}pve1 root@127\.0\.0\.1:\d+ — up .*, load [\d.]+ [\d.]+ [\d.]+$/);
    expect(checks[3]).toContain('(no packet sent)');
    expect(lines.at(-1)).toBe('result: 6 ok, 0 failed');
  });

  it('fails a node that is down with a remedy, exits 1, and sends it no WoL packet', async () => {
    lab.state.setNodeOnline('pve2', false);
    const r = await runCli(['check', '--config', file], env);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    const i = lines.findIndex((l) => l.startsWith('FAIL  ssh      pve2'));
    expect(i).toBeGreaterThan(0);
    expect(lines[i + 1]).toMatch(
      /^ {6}remedy: is pve2 up and sshd running\? check nodes\[pve2\]\.ssh\.host and port \(127\.0\.0\.1:\d+\); if it is asleep, wake it \(wake_node pve2\)$/,
    );
    expect(r.stdout).toMatch(/^ok {4}ssh {6}pve1 /m);
    expect(r.stdout).toContain('1/2 nodes online (offline: pve2)');
    expect(r.stdout).toMatch(/^ok {4}wol {6}pve2 /m);
    expect(lines).toContain('result: 5 ok, 1 failed');
    expect(lab.state.getNode('pve2')).toMatchObject({ online: false, bootingUntil: null });
  });

  it('shows the right SSH host key when the pin is wrong', async () => {
    const right = lab.nodesInfo()[0]!.hostKeyFingerprint!;
    const wrong = `SHA256:${'A'.repeat(43)}`;
    const { config } = variant('wrong-hostkey.yaml', (y) => y.replace(right, wrong));
    const [pve1] = only(await check(config), 'ssh', 'pve1');
    expect(pve1).toMatchObject({ ok: false });
    expect(pve1!.remedy).toContain(`put this line under nodes[pve1].ssh: hostKeyFingerprint: "${right}"`);
  });

  it('shows the right certificate fingerprint when the Proxmox pin is wrong', async () => {
    const wrong = lab.fingerprint.replace(/^../, lab.fingerprint.startsWith('00') ? '11' : '00');
    const { config } = variant('wrong-pin.yaml', (y) => y.replace(lab.fingerprint, wrong));
    const [px] = only(await check(config), 'proxmox');
    expect(px).toMatchObject({ ok: false });
    expect(px!.remedy).toContain(`under proxmox.tls: fingerprint: "${lab.fingerprint}"`);
  });

  it('tells a rejected token (401) from an unprivileged one (403)', async () => {
    const bad = variant('bad-secret.yaml', (y) => y.replace(lab.token.secret, 'not-the-secret'));
    const [r401] = only(await check(bad.config), 'proxmox');
    expect(r401!.detail).toContain('401');
    expect(r401!.remedy).toContain('check proxmox.tokenId (root@pam!vigil) and proxmox.tokenSecret');
    const noPriv = variant('nopriv.yaml', (y) =>
      y.replace(lab.token.id, lab.noPrivToken.id).replace(lab.token.secret, lab.noPrivToken.secret),
    );
    const [r403] = only(await check(noPriv.config), 'proxmox');
    expect(r403!.detail).toContain('403');
    expect(r403!.remedy).toContain(`--tokens '${lab.noPrivToken.id}' --roles PVEAuditor`);
  });

  it('points at host and port when the API is unreachable', async () => {
    const { config } = variant('closed-port.yaml', (y) => y.replace(`url: "${lab.url}"`, 'url: "https://127.0.0.1:1"'));
    const [px] = only(await check(config), 'proxmox');
    expect(px).toMatchObject({ ok: false });
    expect(px!.remedy).toContain('pveproxy listens on port 8006; check proxmox.url (https://127.0.0.1:1)');
    expect(formatResult(px!)[1]).toMatch(/^ {6}remedy: is the Proxmox host up/);
  });

  it('exits 2 on a config error, before checking anything', async () => {
    const { file: f } = variant('ok.yaml', (y) => y);
    writeFileSync(f, text.replace('commandTimeoutSeconds: 10', 'commandTimeoutSeconds: -1'));
    const r = await runCli(['check', '--config', f], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('commandTimeoutSeconds');
  });
});

describe('check pieces', () => {
  const node = (name: string, mac: string, address: string) => ({
    name,
    wol: { mac, address, port: 9 },
    services: [],
    cleanup: { logPaths: [], maxAgeDays: 14, journalVacuumSize: '500M', packageCache: true },
  });

  it('classifies WoL destinations', () => {
    expect(wolDestination('255.255.255.255')).toBe('limited broadcast');
    expect(wolDestination('192.168.1.255')).toBe('subnet broadcast');
    expect(wolDestination('127.0.0.1')).toBe('loopback');
    expect(wolDestination('192.168.1.20')).toBe('unicast');
    expect(wolDestination('0.0.0.0')).toBeNull();
    expect(wolDestination('239.1.2.3')).toBeNull();
  });

  it('fails duplicate, multicast and unusable WoL settings; notes a unicast address', () => {
    const a = node('a', 'aa:bb:cc:dd:ee:01', '192.168.1.255');
    const b = node('b', 'AA-BB-CC-DD-EE-01', '192.168.1.255');
    const c = node('c', '01:00:5e:00:00:01', '192.168.1.255');
    const d = node('d', 'aa:bb:cc:dd:ee:04', '0.0.0.0');
    const e = node('e', 'aa:bb:cc:dd:ee:05', '192.168.1.20');
    const config = { nodes: [a, b, c, d, e] } as unknown as VigilConfig;
    expect(checkWol(b as never, config)).toMatchObject({ ok: false, detail: 'same MAC as nodes[a]' });
    expect(checkWol(c as never, config)).toMatchObject({ ok: false, detail: expect.stringContaining('multicast') });
    expect(checkWol(d as never, config)).toMatchObject({
      ok: false,
      remedy: expect.stringContaining('broadcast address'),
    });
    expect(checkWol(e as never, config)).toMatchObject({ ok: true, note: expect.stringContaining('unicast') });
  });

  it('gives HTTP remedies by what went wrong', () => {
    const c = {
      name: 'web',
      url: 'https://x/',
      expectStatus: 200,
      bodyMatch: 'Welcome',
      timeoutSeconds: 5,
      tls: { insecure: false },
      node: 'pve1',
      service: 'nginx.service',
    };
    expect(httpRemedy({ ok: false, url: c.url, durationMs: 1, status: 502 }, c)).toContain(
      'it answered 502, expected 200: fix the service; vigil can restart it: restart_service pve1 nginx.service',
    );
    expect(httpRemedy({ ok: false, url: c.url, durationMs: 1, status: 200, bodyMatched: false }, c)).toContain(
      'does not contain "Welcome"',
    );
    expect(
      httpRemedy(
        { ok: false, url: c.url, durationMs: 1, failure: 'tls', error: 'TLS certificate of x:443 not trusted (X)' },
        c,
      ),
    ).toContain('tls.caFile');
    expect(
      httpRemedy({ ok: false, url: c.url, durationMs: 1, failure: 'refused', error: 'connection refused by x:443' }, c),
    ).toContain('is the service up');
    // The code decides, not the words: a timeout worded like a TLS failure still gets the timeout remedy.
    expect(
      httpRemedy({ ok: false, url: c.url, durationMs: 1, failure: 'timeout', error: 'TLS certificate lookalike' }, c),
    ).toContain(`no answer within ${c.timeoutSeconds} s`);
  });
});
