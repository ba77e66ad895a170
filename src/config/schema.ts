/**
 * The zod schema of vigil.yaml as written: strict objects (unknown keys are mistakes), defaults,
 * and per-field formats. Every message starts with "expected ..." so issues.ts can append what it
 * got; cross-field rules (unique names, references, token inequality) live in checks.ts.
 */
import { z } from 'zod';
import { CONFIRMATION_MODES, LOG_FORMATS, LOG_LEVELS, WEBHOOK_FORMATS } from './types.js';
import { HTTP_ALLOW_EXPECTED, isHttpAllowEntry } from '../util/http-allow.js';
import {
  BARE_UNIT_RE,
  CERT_FINGERPRINT_RE,
  HOST_RE,
  MAC_RE,
  NODE_NAME_RE,
  SSH_FINGERPRINT_RE,
  TOKEN_ID_RE,
  TOOL_NAME_RE,
  UNIT_RE,
  VACUUM_SIZE_RE,
  absPath,
  bool,
  filePath,
  postgresUrl,
  httpUrl,
  int,
  list,
  obj,
  pattern,
  port,
  secret,
  seconds,
  secureUrl,
  str,
  token,
} from './fields.js';
import { monitorSchema } from './schema-monitor.js';

/** A claim whose value (or one of whose values) makes the caller a role; a dotted name reaches into objects. */
const claimSchema = obj({
  name: pattern(
    /^[A-Za-z0-9_:-]+(\.[A-Za-z0-9_:-]+)*$/,
    'expected a claim name such as "groups" or "realm_access.roles"',
  ),
  value: str('expected the value that grants the role, such as "vigil-assistants"'),
});
const scopeName = () =>
  pattern(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'expected one OAuth scope such as "vigil:assistant" (no spaces or quotes)');

const oauthSchema = obj({
  issuer: secureUrl(
    'expected the issuer URL of your identity provider, as its /.well-known/openid-configuration says, https:// (http:// only on 127.0.0.1, [::1] or localhost)',
  ).describe('OpenID Connect issuer; its discovery document names the JWKS that signs access tokens'),
  resource: secureUrl(
    'expected the URL MCP clients use for /mcp, such as "https://vigil.example.lan/mcp", https:// (http:// only on loopback), no query or fragment',
  ).describe("This server's /mcp as clients reach it (through any reverse proxy): the RFC 9728 resource"),
  audience: str('expected the aud claim access tokens for vigil carry, such as "https://vigil.example.lan/mcp"')
    .optional()
    .describe('The aud an access token must carry; default: resource'),
  assistantScope: scopeName()
    .optional()
    .describe('Scope that makes the caller the assistant; default "vigil:assistant" unless assistantClaim is set'),
  assistantClaim: claimSchema
    .optional()
    .describe('Instead of a scope: a claim value that makes the caller the assistant'),
  operatorScope: scopeName()
    .optional()
    .describe('Scope that marks an operator: such a token is refused on /mcp (the assistant must never approve)'),
  operatorClaim: claimSchema.optional().describe('Instead of a scope: a claim value that marks an operator'),
  staticAssistantToken: bool()
    .default(true)
    .describe('Keep accepting auth.assistantToken on /mcp beside OAuth (stdio, scripts, clients without OAuth)'),
  jwksCacheSeconds: seconds(86_400).default(600).describe("How long the issuer's signing keys are cached"),
});

const serverSchema = obj({
  host: pattern(HOST_RE, 'expected a host name or IP address to bind').default('127.0.0.1'),
  port: port().default(8377),
  allowedHosts: list(pattern(HOST_RE, 'expected a Host header value such as "vigil.lan:8377"'))
    .default([])
    .describe('Extra Host header values accepted on /mcp'),
  allowedOrigins: list(
    str('expected an origin such as "https://chat.example"').refine((o) => URL.canParse(o) && new URL(o).origin === o, {
      error: 'expected an origin such as "https://chat.example" (scheme://host[:port], no path)',
    }),
  )
    .default([])
    .describe('Origins accepted on /mcp'),
  mcpSessions: obj({
    max: int(1, 100_000, 'a whole number of sessions')
      .default(200)
      .describe('Most open 2025-protocol /mcp sessions (about 0.85 MB each); a new one beyond it is refused with 503'),
    idleSeconds: seconds(86_400)
      .default(1800)
      .describe('A 2025-protocol /mcp session with no request for this long is closed'),
  })
    .prefault({})
    .describe('Bounds on the sessions 2025-protocol MCP clients keep open over HTTP (2026-07-28 clients keep none)'),
  oauth: oauthSchema
    .optional()
    .describe('OAuth 2.1 resource-server mode for /mcp: accept access tokens of your identity provider'),
});

const safetySchema = obj({
  confirmation: z
    .enum(CONFIRMATION_MODES, { error: `expected one of ${CONFIRMATION_MODES.join(', ')}` })
    .default('elicit')
    .describe(
      'elicit: ask through MCP elicitation when the client supports it, else operator approval; approval: always operator approval',
    ),
  approvalTtlSeconds: seconds(7 * 24 * 3600).default(600),
  toolTimeoutSeconds: seconds(24 * 3600).default(30),
  dryRun: bool().default(false).describe('Yellow and red tools only say what they would do'),
  readOnly: bool().default(false).describe('Only green tools (and the kill switch) are available'),
  disabledTools: list(pattern(TOOL_NAME_RE, 'expected a tool name such as "reboot_node"')).default([]),
  protected: obj({
    nodes: list(pattern(NODE_NAME_RE, 'expected a node name (letters, digits, "-")')).default([]),
    guests: list(int(100, 999_999_999, 'a VMID')).default([]),
  })
    .prefault({})
    .describe('Targets no caller may stop, reboot or shut down'),
  httpAllow: list(str(HTTP_ALLOW_EXPECTED).refine(isHttpAllowEntry, { error: HTTP_ALLOW_EXPECTED }))
    .default([])
    .describe(
      'Hosts check_http may probe besides the configured httpChecks URLs: host names ("grafana.lan", "*.lan"), IP addresses or CIDR blocks ("10.0.0.0/24")',
    ),
});

const proxmoxSchema = obj({
  url: httpUrl(true).describe('https://host:8006'),
  tokenId: pattern(TOKEN_ID_RE, 'expected USER@REALM!TOKENID, e.g. "vigil@pve!monitor"'),
  tokenSecret: secret('expected the API token secret'),
  tls: obj({
    caFile: filePath().optional(),
    fingerprint: pattern(CERT_FINGERPRINT_RE, 'expected a SHA-256 fingerprint "AA:BB:..." (32 hex bytes)').optional(),
    insecure: bool().default(false),
  })
    .prefault({})
    .describe('At most one of caFile, fingerprint, insecure'),
  timeoutSeconds: seconds(600).default(10),
  backupStorages: list(
    str('expected a Proxmox storage id such as "local"').regex(/^[a-z][a-z0-9_.-]*$/i, {
      error: 'expected a Proxmox storage id such as "local"',
    }),
  )
    .default(['local'])
    .describe('Storages run_backup may write vzdump archives to; the first is the default'),
});

const sshSchema = obj({
  host: pattern(HOST_RE, 'expected a host name or IP address'),
  port: port().default(22),
  user: pattern(/^[a-z_][a-z0-9_.-]*\$?$/i, 'expected a user name').default('root'),
  privateKeyFile: filePath().optional(),
  passphrase: secret('expected the key passphrase').optional(),
  agent: bool().default(false).describe('Authenticate with the agent at SSH_AUTH_SOCK'),
  hostKeyFingerprint: pattern(
    SSH_FINGERPRINT_RE,
    'expected "SHA256:..." as "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub" prints it',
  ),
  commandTimeoutSeconds: seconds(3600).default(30),
});

const nodeSchema = obj({
  name: pattern(NODE_NAME_RE, 'expected a node name (letters, digits, "-", not starting with "-")'),
  ssh: sshSchema.optional(),
  wol: obj({
    mac: pattern(MAC_RE, 'expected a MAC address such as "aa:bb:cc:dd:ee:ff"'),
    address: z.ipv4({ error: 'expected an IPv4 broadcast address' }).default('255.255.255.255'),
    port: port().default(9),
    via: z
      .enum(['direct', 'proxmox'], { error: 'expected "direct" or "proxmox"' })
      .default('direct')
      .describe('direct: a UDP magic packet from vigil; proxmox: POST /nodes/{node}/wakeonlan on a live peer'),
  }).optional(),
  services: list(
    str('expected a systemd unit such as "nginx.service"').refine((u) => UNIT_RE.test(u) || BARE_UNIT_RE.test(u), {
      error: 'expected a systemd unit such as "nginx.service"',
    }),
  )
    .default([])
    .describe('systemd units vigil may check and restart; a bare name gets ".service"'),
  cleanup: obj({
    logPaths: list(absPath()).default([]).describe('Absolute directories old logs may be deleted from'),
    maxAgeDays: int(1, 3650, 'a number of days').default(14),
    journalVacuumSize: pattern(VACUUM_SIZE_RE, 'expected a size such as "500M" (digits then K, M or G)').default(
      '500M',
    ),
    packageCache: bool().default(true),
    truncateAboveMB: int(1, 1_048_576, 'a number of MiB')
      .default(100)
      .describe('*.log files under logPaths larger than this are gzipped to a copy and truncated in place'),
  }).prefault({}),
});

const httpCheckSchema = obj({
  name: str('expected a name for the check'),
  url: httpUrl(false),
  expectStatus: int(100, 599, 'an HTTP status').default(200),
  bodyMatch: str('expected text the body must contain')
    .optional()
    .describe('A substring the response body must contain'),
  timeoutSeconds: seconds(600).default(5),
  tls: obj({ insecure: bool().default(false), caFile: filePath().optional() }).prefault({}),
  node: pattern(NODE_NAME_RE, 'expected the name of a configured node').optional(),
  service: str('expected a systemd unit of that node').optional(),
  vmid: int(100, 999_999_999, 'a VMID')
    .optional()
    .describe('The guest serving this check: failures while it runs raise guest.unresponsive'),
});

const mailbox = () =>
  str('expected an email address such as "ops@example.com" or "vigil <vigil@example.com>"').regex(
    /^[^\s@<>]+@[^\s@<>]+$|^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/,
    {
      error: 'expected an email address such as "ops@example.com" or "vigil <vigil@example.com>"',
    },
  );

const webhookSchema = obj({
  url: httpUrl(false).describe(
    'Slack or Discord incoming-webhook URL, or an ntfy topic URL such as https://ntfy.sh/my-alerts',
  ),
  format: z.enum(WEBHOOK_FORMATS, { error: `expected one of ${WEBHOOK_FORMATS.join(', ')}` }),
  headers: z
    .record(z.string(), z.string({ error: 'expected a header value' }), {
      error: 'expected a mapping of header names to values',
    })
    .default({}),
}).refine((w) => w.format !== 'ntfy' || !URL.canParse(w.url) || new URL(w.url).pathname.split('/').some(Boolean), {
  error: 'expected an ntfy topic URL such as https://ntfy.sh/my-alerts (the last path segment is the topic)',
  path: ['url'],
});

const notificationsSchema = obj({
  email: obj({
    host: pattern(HOST_RE, 'expected the SMTP server host name or IP address'),
    port: port().default(587),
    secure: bool()
      .default(false)
      .describe('TLS from the first byte (usually port 465); false: STARTTLS when the server offers it'),
    user: str('expected the SMTP user name').optional(),
    password: secret('expected the SMTP password').optional(),
    from: mailbox(),
    to: list(mailbox()).min(1, { error: 'expected at least one recipient' }),
  }).optional(),
  webhooks: list(webhookSchema).default([]),
  reportDigestSeconds: int(0, 86_400, 'a whole number of seconds')
    .default(300)
    .describe('Remediation reports are folded into at most one digest per this many seconds, per destination'),
  retry: obj({
    initialSeconds: int(1, 86_400, 'a whole number of seconds')
      .default(30)
      .describe('Delay after the first failed delivery, doubled after each further one'),
    maxSeconds: int(1, 86_400, 'a whole number of seconds').default(1800),
    giveUpHours: int(1, 8760, 'a number of hours')
      .default(72)
      .describe('Drop a notification still undelivered this long after it was queued'),
  }).prefault({}),
});

/** The whole file. */
export const configSchema = obj({
  server: serverSchema.prefault({}),
  auth: obj({ assistantToken: token(), operatorToken: token() }),
  database: obj({
    path: filePath().default('./vigil.db'),
    url: postgresUrl()
      .optional()
      .describe(
        'PostgreSQL instead of the SQLite file (two daemons may share it, one acting at a time): postgres://user:${env:VIGIL_DB_PASSWORD}@host:5432/vigil',
      ),
  }).prefault({}),
  logging: obj({
    level: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    format: z
      .enum(LOG_FORMATS, { error: `expected one of ${LOG_FORMATS.join(', ')}` })
      .default('auto')
      .describe('Log lines on stderr: auto (readable on a terminal, JSON otherwise), pretty or json'),
  }).prefault({}),
  safety: safetySchema.prefault({}),
  proxmox: proxmoxSchema.optional(),
  nodes: list(nodeSchema).default([]),
  httpChecks: list(httpCheckSchema).default([]),
  monitor: monitorSchema.prefault({}),
  notifications: notificationsSchema.prefault({}),
});

export type ParsedConfig = z.output<typeof configSchema>;

/** Key paths whose values are secrets; `*` matches any list index. */
export const SECRET_PATHS = [
  'auth.assistantToken',
  'auth.operatorToken',
  'proxmox.tokenSecret',
  'nodes.*.ssh.passphrase',
  'notifications.email.password',
  'notifications.webhooks.*.url',
  'database.url',
] as const;
