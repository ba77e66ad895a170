// Pins that each class of mistake in vigil.yaml yields one clear line naming the key path and the fix.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { ConfigError } from '../../src/errors.js';
import { ENV, issuesOf, minimal, tempDir } from './helpers.js';

const SSH_FP = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';
const node = (name: string, extra = '') =>
  `  - name: ${name}\n    ssh: { host: 127.0.0.1, agent: true, hostKeyFingerprint: "${SSH_FP}" }\n${extra}`;
const proxmox = (url: string, tls = '') =>
  `proxmox:\n  url: ${url}\n  tokenId: vigil@pve!monitor\n  tokenSecret: s3cr3t-value\n${tls}`;

describe('config mistakes', () => {
  it('a port typo names the path, the range and what it got', () => {
    const issues = issuesOf(
      minimal(
        `nodes:\n${node('a')}${node('b')}  - name: c\n    ssh: { host: h, port: 22x, agent: true, hostKeyFingerprint: "${SSH_FP}" }\n`,
      ),
    );
    expect(issues).toEqual(['nodes[2].ssh.port: expected a number 1–65535, got "22x"']);
  });

  it('an out-of-range port says the range', () => {
    expect(issuesOf(minimal('server:\n  port: 70000\n'))).toEqual([
      'server.port: expected a number 1–65535, got 70000',
    ]);
  });

  it('an MCP session cap out of range names the setting and the range', () => {
    expect(issuesOf(minimal('server:\n  mcpSessions: { max: 0, idleSeconds: 30 }\n'))).toEqual([
      'server.mcpSessions.max: expected a whole number of sessions 1–100000, got 0',
    ]);
  });

  it('a non-numeric env value for a number is reported like a literal one', () => {
    expect(issuesOf(minimal('server:\n  port: ${env:PORT}\n'), { ...ENV, PORT: '80a' })).toEqual([
      'server.port: expected a number 1–65535, got "80a"',
    ]);
  });

  it('an unset env variable names the variable and both fixes', () => {
    expect(issuesOf(minimal(), { VIGIL_OPERATOR_TOKEN: ENV.VIGIL_OPERATOR_TOKEN })).toEqual([
      'auth.assistantToken: environment variable VIGIL_ASSISTANT_TOKEN is not set; export it or put the value in the file',
    ]);
  });

  it('a malformed reference is reported', () => {
    expect(issuesOf(minimal('database:\n  path: "${env:1BAD}"\n'))[0]).toMatch(
      /^database\.path: malformed reference; write \$\{env:NAME\}/,
    );
  });

  it('equal tokens are refused', () => {
    const same = 'the-same-token-for-both';
    expect(issuesOf(minimal(), { VIGIL_ASSISTANT_TOKEN: same, VIGIL_OPERATOR_TOKEN: same })).toEqual([
      'auth: assistantToken and operatorToken must differ; the operator token approves what the assistant asks for',
    ]);
  });

  it('a short token gives its length, not its value', () => {
    const issues = issuesOf(minimal(), { ...ENV, VIGIL_ASSISTANT_TOKEN: 'short' });
    expect(issues).toEqual([
      'auth.assistantToken: expected at least 16 characters (e.g. from "openssl rand -hex 32"), got a 5-character value',
    ]);
  });

  it('a missing required key says so', () => {
    expect(issuesOf('auth:\n  assistantToken: ${env:VIGIL_ASSISTANT_TOKEN}\n')).toEqual([
      'auth.operatorToken: missing; expected at least 16 characters (e.g. from "openssl rand -hex 32")',
    ]);
  });

  it('an unknown key suggests the close match', () => {
    expect(issuesOf(minimal('server:\n  prot: 8377\n'))).toEqual(['server.prot: unknown key; did you mean "port"?']);
    expect(issuesOf(minimal('http_checks: []\n'))).toEqual(['http_checks: unknown key; did you mean "httpChecks"?']);
    expect(issuesOf(minimal(`nodes:\n${node('a', '    sevices: [nginx]\n')}`))).toEqual([
      'nodes[0].sevices: unknown key; did you mean "services"?',
    ]);
  });

  it('an unknown key with no close match lists the allowed keys', () => {
    expect(issuesOf(minimal('logging:\n  zzzzzzzz: 1\n'))).toEqual([
      'logging.zzzzzzzz: unknown key; allowed keys: level, format',
    ]);
  });

  it('a bad MAC names the node and the expected form', () => {
    expect(issuesOf(minimal('nodes:\n  - name: a\n    wol: { mac: "aa:bb:cc:dd:ee" }\n'))).toEqual([
      'nodes[0].wol.mac: expected a MAC address such as "aa:bb:cc:dd:ee:ff", got "aa:bb:cc:dd:ee"',
    ]);
  });

  it('a bad SSH host key fingerprint says how to get the right one', () => {
    const issues = issuesOf(
      minimal('nodes:\n  - name: a\n    ssh: { host: h, agent: true, hostKeyFingerprint: "MD5:ab:cd" }\n'),
    );
    expect(issues).toEqual([
      'nodes[0].ssh.hostKeyFingerprint: expected "SHA256:..." as "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub" prints it, got "MD5:ab:cd"',
    ]);
  });

  it('a bad certificate fingerprint is refused', () => {
    expect(issuesOf(minimal(proxmox('https://127.0.0.1:8006', '  tls: { fingerprint: "AB:CD" }\n')))).toEqual([
      'proxmox.tls.fingerprint: expected a SHA-256 fingerprint "AA:BB:..." (32 hex bytes), got "AB:CD"',
    ]);
  });

  it('an http:// Proxmox URL is refused', () => {
    expect(issuesOf(minimal(proxmox('http://127.0.0.1:8006')))).toEqual([
      'proxmox.url: expected an https:// URL, got "http://127.0.0.1:8006"',
    ]);
  });

  it('more than one TLS option for Proxmox is refused', () => {
    expect(issuesOf(minimal(proxmox('https://127.0.0.1:8006', '  tls: { insecure: true, caFile: ca.pem }\n')))).toEqual(
      ['proxmox.tls: set at most one of caFile, fingerprint and insecure: true'],
    );
  });

  it('a duplicate node name points at the first one', () => {
    expect(issuesOf(minimal(`nodes:\n${node('pve1')}${node('pve2')}${node('pve1')}`))).toEqual([
      'nodes[2].name: "pve1" is already used by nodes[0]; node names must be unique',
    ]);
  });

  it('an http check must reference a configured node and one of its services', () => {
    const checks = (n: string, s: string) =>
      `httpChecks:\n  - { name: web, url: "http://127.0.0.1/", node: ${n}, service: ${s} }\n`;
    expect(issuesOf(minimal(`nodes:\n${node('pve1', '    services: [nginx]\n')}${checks('pve9', 'nginx')}`))).toEqual([
      'httpChecks[0].node: "pve9" is not a configured node; use one of pve1',
    ]);
    expect(issuesOf(minimal(`nodes:\n${node('pve1', '    services: [nginx]\n')}${checks('pve1', 'apache2')}`))).toEqual(
      ['httpChecks[0].service: "apache2.service" is not in nodes[0].services; add it there'],
    );
  });

  it('ssh needs a way to authenticate', () => {
    expect(issuesOf(minimal(`nodes:\n  - name: a\n    ssh: { host: h, hostKeyFingerprint: "${SSH_FP}" }\n`))).toEqual([
      'nodes[0].ssh: no way to authenticate; set privateKeyFile or agent: true',
    ]);
  });

  it('unsafe units and log paths are refused', () => {
    const issues = issuesOf(
      minimal(
        'nodes:\n  - name: a\n    services: ["-H evil", "x;reboot"]\n    cleanup: { logPaths: [var/log, /var/../etc, /] }\n',
      ),
    );
    expect(issues).toEqual([
      'nodes[0].services[0]: expected a systemd unit such as "nginx.service", got "-H evil"',
      'nodes[0].services[1]: expected a systemd unit such as "nginx.service", got "x;reboot"',
      'nodes[0].cleanup.logPaths[0]: expected an absolute path without "..", got "var/log"',
      'nodes[0].cleanup.logPaths[1]: expected an absolute path without "..", got "/var/../etc"',
      'nodes[0].cleanup.logPaths[2]: expected a directory below "/", not the filesystem root, got "/"',
    ]);
  });

  it('YAML syntax errors give line and column', () => {
    const issues = issuesOf(minimal('server:\n  port: 1\n   host: x\n'));
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]).toMatch(/^.*vigil\.yaml: YAML syntax error at line 5, column 9: Nested mappings/);
  });

  it('a duplicate YAML key is a syntax error', () => {
    expect(issuesOf(minimal('server:\n  port: 1\n  port: 2\n'))[0]).toMatch(
      /YAML syntax error at line 6, column 3: Map keys must be unique/,
    );
  });

  it('a missing file says how to create one', () => {
    const file = `${tempDir()}/vigil.yaml`;
    expect(() => loadConfig(file, ENV)).toThrow(ConfigError);
    try {
      loadConfig(file, ENV);
    } catch (err) {
      expect((err as ConfigError).issues).toEqual([
        `${file}: file not found; create one with "vigil init --config ${file}"`,
      ]);
    }
  });

  it('an empty file and a non-mapping are explained', () => {
    expect(issuesOf('')[0]).toMatch(/the file is empty; start from "vigil init/);
    expect(issuesOf('- a\n- b\n')[0]).toMatch(/expected a mapping of keys .* at the top level/);
  });

  it('reports every problem at once', () => {
    const issues = issuesOf(
      minimal('server: { port: 0, host: "" }\nlogging: { level: loud }\nsafety: { dryRun: yes }\n'),
    );
    expect(issues).toEqual([
      'server.host: expected a host name or IP address to bind, got ""',
      'server.port: expected a number 1–65535, got 0',
      'logging.level: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'safety.dryRun: expected true or false, got "yes"',
    ]);
  });
});
