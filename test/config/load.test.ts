// Pins what a valid vigil.yaml loads into: env references resolved, defaults filled, values normalised, paths absolute.
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, readExampleConfig, resolveConfigPath, secretValues } from '../../src/config/index.js';
import { ASSISTANT, ENV, OPERATOR, minimal, writeConfig } from './helpers.js';

const FULL = `
server:
  host: 0.0.0.0
  port: 9000
  allowedHosts: ["vigil.lan:9000"]
  allowedOrigins: ["https://chat.example"]
auth:
  assistantToken: \${env:VIGIL_ASSISTANT_TOKEN}
  operatorToken: literal-operator-token-xyz
database:
  path: data/vigil.db
logging:
  level: debug
safety:
  confirmation: approval
  dryRun: true
  disabledTools: [run_command]
  protected: { nodes: [pve1], guests: [100] }
proxmox:
  url: https://127.0.0.1:8006/api2/json/
  tokenId: vigil@pve!monitor
  tokenSecret: \${env:PVE_SECRET}
  tls:
    fingerprint: "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89"
nodes:
  - name: pve1
    ssh:
      host: 127.0.0.1
      port: 2222
      privateKeyFile: ~/.ssh/vigil
      passphrase: \${env:KEY_PASS}
      hostKeyFingerprint: SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s
    wol: { mac: "AA-BB-CC-DD-EE-0F", address: 127.0.0.1, port: 40009 }
    services: [nginx, sshd.service, "getty@tty1.service"]
    cleanup: { logPaths: [/var/log/nginx/] }
httpChecks:
  - name: web
    url: http://127.0.0.1:8080/
    bodyMatch: "\${env:WELCOME} page"
    node: pve1
    service: nginx
`;

describe('loadConfig', () => {
  it('loads a full file with env references, normalising what it reads', () => {
    const file = writeConfig(FULL);
    const env = { ...ENV, PVE_SECRET: 'pve-secret-uuid', KEY_PASS: 'key-pass', WELCOME: 'Welcome' };
    const c = loadConfig(file, env);
    expect(c.file).toBe(file);
    expect(c.server).toEqual({
      host: '0.0.0.0',
      port: 9000,
      allowedHosts: ['vigil.lan:9000'],
      allowedOrigins: ['https://chat.example'],
      mcpSessions: { max: 200, idleSeconds: 1800 },
    });
    expect(c.auth).toEqual({ assistantToken: ASSISTANT, operatorToken: 'literal-operator-token-xyz' });
    expect(c.database.path).toBe(join(dirname(file), 'data/vigil.db'));
    expect(c.logging.level).toBe('debug');
    expect(c.safety).toEqual({
      confirmation: 'approval',
      approvalTtlSeconds: 600,
      toolTimeoutSeconds: 30,
      dryRun: true,
      readOnly: false,
      disabledTools: ['run_command'],
      protected: { nodes: ['pve1'], guests: [100] },
      httpAllow: [],
    });
    expect(c.proxmox).toEqual({
      url: 'https://127.0.0.1:8006',
      tokenId: 'vigil@pve!monitor',
      tokenSecret: 'pve-secret-uuid',
      tls: {
        fingerprint: 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89',
        insecure: false,
      },
      timeoutSeconds: 10,
      backupStorages: ['local'],
    });
    const node = c.nodes[0]!;
    expect(node.ssh).toEqual({
      host: '127.0.0.1',
      port: 2222,
      user: 'root',
      privateKeyFile: join(homedir(), '.ssh/vigil'),
      passphrase: 'key-pass',
      agent: false,
      hostKeyFingerprint: 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s',
      commandTimeoutSeconds: 30,
    });
    expect(node.wol).toEqual({ mac: 'aa:bb:cc:dd:ee:0f', address: '127.0.0.1', port: 40009, via: 'direct' });
    expect(node.services).toEqual(['nginx.service', 'sshd.service', 'getty@tty1.service']);
    expect(node.cleanup).toEqual({
      logPaths: ['/var/log/nginx'],
      maxAgeDays: 14,
      journalVacuumSize: '500M',
      packageCache: true,
      truncateAboveMB: 100,
    });
    expect(c.httpChecks).toEqual([
      {
        name: 'web',
        url: 'http://127.0.0.1:8080/',
        expectStatus: 200,
        bodyMatch: 'Welcome page',
        timeoutSeconds: 5,
        tls: { insecure: false },
        node: 'pve1',
        service: 'nginx.service',
      },
    ]);
    expect(secretValues(c).sort()).toEqual(
      [ASSISTANT, 'key-pass', 'literal-operator-token-xyz', 'pve-secret-uuid'].sort(),
    );
  });

  it('fills every default for the minimal file', () => {
    const file = writeConfig(minimal());
    const c = loadConfig(file, ENV);
    expect(c.server).toEqual({
      host: '127.0.0.1',
      port: 8377,
      allowedHosts: [],
      allowedOrigins: [],
      mcpSessions: { max: 200, idleSeconds: 1800 },
    });
    expect(c.database.path).toBe(join(dirname(file), 'vigil.db'));
    expect(c.logging.level).toBe('info');
    expect(c.safety.confirmation).toBe('elicit');
    expect(c.safety.protected).toEqual({ nodes: [], guests: [] });
    expect(c.proxmox).toBeUndefined();
    expect(c.nodes).toEqual([]);
    expect(c.httpChecks).toEqual([]);
    expect(secretValues(c)).toEqual([ASSISTANT, OPERATOR]);
  });

  it('resolves a relative database path against the config file directory, not the cwd', () => {
    const file = writeConfig(minimal('database:\n  path: ../state/v.db\n'));
    expect(loadConfig(file, ENV).database.path).toBe(join(dirname(file), '..', 'state', 'v.db'));
    expect(process.cwd()).not.toBe(dirname(file));
  });

  it('treats an empty key as absent, so defaults apply', () => {
    const c = loadConfig(writeConfig(minimal('nodes:\nhttpChecks:\nserver:\n')), ENV);
    expect(c.nodes).toEqual([]);
    expect(c.server.port).toBe(8377);
  });

  it('keeps $${ as a literal ${', () => {
    const c = loadConfig(
      writeConfig(minimal('httpChecks:\n  - { name: t, url: "http://127.0.0.1/", bodyMatch: "$${env:X}" }\n')),
      ENV,
    );
    expect(c.httpChecks[0]!.bodyMatch).toBe('${env:X}');
  });

  it('converts a whole ${env:NAME} to a number or boolean where the schema wants one', () => {
    const c = loadConfig(writeConfig(minimal('server:\n  port: ${env:PORT}\nsafety:\n  dryRun: ${env:DRY}\n')), {
      ...ENV,
      PORT: '9001',
      DRY: 'true',
    });
    expect(c.server.port).toBe(9001);
    expect(c.safety.dryRun).toBe(true);
  });

  it('loads the example config with only the two token variables set', () => {
    const c = loadConfig(writeConfig(readExampleConfig()), ENV);
    expect(c.auth).toEqual({ assistantToken: ASSISTANT, operatorToken: OPERATOR });
    expect(c.proxmox).toBeUndefined();
    expect(c.nodes).toEqual([]);
    expect(c.httpChecks).toEqual([]);
  });
});

describe('resolveConfigPath', () => {
  it('prefers --config, then VIGIL_CONFIG, then ./vigil.yaml', () => {
    expect(resolveConfigPath('/etc/vigil.yaml', { VIGIL_CONFIG: '/x.yaml' })).toBe('/etc/vigil.yaml');
    expect(resolveConfigPath(undefined, { VIGIL_CONFIG: '/x.yaml' })).toBe('/x.yaml');
    expect(resolveConfigPath(undefined, {})).toBe('./vigil.yaml');
    expect(resolveConfigPath('', { VIGIL_CONFIG: '' })).toBe('./vigil.yaml');
  });
});
