/**
 * The zod schema of vigil.yaml as written: strict objects (unknown keys are mistakes), defaults,
 * and per-field formats. Every message starts with "expected ..." so issues.ts can append what it
 * got; cross-field rules (unique names, references, token inequality) live in checks.ts.
 */
import { z } from 'zod';
import cron from 'node-cron';
import { CONFIRMATION_MODES, LOG_FORMATS, LOG_LEVELS, WEBHOOK_FORMATS } from './types.js';
import { CONDITIONS } from '../contracts/conditions.js';
import { HTTP_ALLOW_EXPECTED, isHttpAllowEntry } from '../util/http-allow.js';

/** A node name: what Proxmox accepts and what is safe as a label everywhere. */
export const NODE_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9-]*$/;
/**
 * A systemd unit name. The first character may not be "-" so a name can never be read as an
 * option by systemctl, whatever quoting the caller uses.
 */
export const UNIT_RE = /^[a-zA-Z0-9@_.][a-zA-Z0-9@._-]*\.(service|socket|timer|target|mount|path)$/;
/** A bare unit name, to which ".service" is appended. */
export const BARE_UNIT_RE = /^[a-zA-Z0-9@_.][a-zA-Z0-9@._-]*$/;
export const MAC_RE = /^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/;
/** SHA-256 of a certificate as Proxmox shows it: 32 colon-separated hex bytes. */
export const CERT_FINGERPRINT_RE = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){31}$/;
/** SHA-256 of an SSH host key as `ssh-keygen -lf` prints it: unpadded base64 of 32 bytes. */
export const SSH_FINGERPRINT_RE = /^SHA256:[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=?$/;
export const TOKEN_ID_RE = /^[A-Za-z0-9._-]+@[A-Za-z0-9._-]+![A-Za-z][A-Za-z0-9._-]*$/;
export const VACUUM_SIZE_RE = /^[0-9]+[KMG]$/;
export const TOOL_NAME_RE = /^[a-z][a-z0-9_]*$/;
/** Host names and IP literals; no whitespace, no leading "-" (never an option to anything). */
export const HOST_RE = /^[A-Za-z0-9_.:[\]%][A-Za-z0-9_.:[\]%-]*$/;

export const MIN_TOKEN_LENGTH = 16;

const str = (expected: string) => z.string({ error: expected }).min(1, { error: expected });
const pattern = (re: RegExp, expected: string) => str(expected).regex(re, { error: expected });
const bool = () => z.boolean({ error: 'expected true or false' });
const list = <T extends z.ZodType>(item: T) => z.array(item, { error: 'expected a list' });
const obj = <S extends z.ZodRawShape>(shape: S) => z.strictObject(shape, { error: 'expected a mapping of keys' });

/** An integer in [min, max]; `what` names the unit in the message. */
function int(min: number, max: number, what = 'a number'): z.ZodNumber {
  const expected = `expected ${what} ${min}–${max}`;
  return z
    .number({ error: expected })
    .min(min, { error: expected })
    .max(max, { error: expected })
    .int({ error: expected });
}

const port = () => int(1, 65535);
const seconds = (max: number) => int(1, max, 'a whole number of seconds');
const absPath = () =>
  str('expected an absolute path without ".."')
    .regex(/^\//, { error: 'expected an absolute path without ".."' })
    .refine((p) => !p.split('/').includes('..'), { error: 'expected an absolute path without ".."' })
    .refine((p) => p.replace(/\/+$/, '') !== '', { error: 'expected a directory below "/", not the filesystem root' });
const filePath = () => str('expected a file path').describe('Absolute, ~/..., or relative to this file');
const httpUrl = (https: boolean) => {
  const expected = https ? 'expected an https:// URL' : 'expected an http:// or https:// URL';
  return str(expected).refine(
    (u) => {
      if (!URL.canParse(u)) return false;
      const p = new URL(u).protocol;
      return https ? p === 'https:' : p === 'https:' || p === 'http:';
    },
    { error: expected },
  );
};
const secret = (expected: string) => z.string({ error: expected }).min(1, { error: expected });
const token = () =>
  secret(`expected at least ${MIN_TOKEN_LENGTH} characters (e.g. from "openssl rand -hex 32")`)
    .min(MIN_TOKEN_LENGTH, {
      error: `expected at least ${MIN_TOKEN_LENGTH} characters (e.g. from "openssl rand -hex 32")`,
    })
    .describe('A bearer token: a literal or ${env:NAME}');

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** An https:// URL, or http:// on a loopback host (a local identity provider, the tests). */
const secureUrl = (expected: string) =>
  str(expected).refine(
    (u) => {
      if (!URL.canParse(u)) return false;
      const url = new URL(u);
      if (url.hash !== '' || url.search !== '') return false;
      return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
    },
    { error: expected },
  );

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

/** A schedule interval in seconds that node-cron can express evenly (see src/monitor/schedule.ts). */
const EVEN_INTERVAL = (s: number) =>
  s < 60 ? 60 % s === 0 : s < 3600 ? s % 60 === 0 && 60 % (s / 60) === 0 : s % 3600 === 0 && 24 % (s / 3600) === 0;
const interval = (fallback: number) =>
  int(1, 86_400, 'a whole number of seconds')
    .refine(EVEN_INTERVAL, {
      error:
        'expected seconds that divide a minute (1–30), whole minutes that divide an hour, or whole hours that divide a day',
    })
    .default(fallback);
/** Seconds, fractions allowed (verification polls in a lab can be sub-second). */
const fseconds = (max: number) => {
  const expected = `expected a number of seconds greater than 0, at most ${max}`;
  return z.number({ error: expected }).positive({ error: expected }).max(max, { error: expected });
};

const runbookTuning = obj({
  enabled: bool().default(true),
  cooldownSeconds: int(0, 86_400, 'a whole number of seconds')
    .optional()
    .describe('Wait after an action on a target before this runbook acts on it again'),
  verifyTimeoutSeconds: fseconds(3600)
    .optional()
    .describe('How long verification polls before the attempt counts as failed'),
  verifyIntervalSeconds: fseconds(600).optional(),
});

const monitorSchema = obj({
  enabled: bool().default(true).describe('Run the monitor inside "vigil serve"'),
  dryRun: bool().default(false).describe('Detect and open incidents, but only say what the runbooks would do'),
  schedules: obj({
    criticalSeconds: interval(15).describe('Cluster resources, node reachability, guest states'),
    fastSeconds: interval(5).describe('The critical interval while incidents are open'),
    routineSeconds: interval(300).describe('Disk, memory, services over SSH, HTTP checks'),
    daily: str('expected a cron expression such as "0 30 3 * * *"')
      .refine((e) => cron.validate(e), {
        error: 'expected a cron expression such as "0 30 3 * * *" (seconds minutes hours day month weekday)',
      })
      .default('0 30 3 * * *')
      .describe('node-cron expression of the daily run'),
  }).prefault({}),
  thresholds: obj({
    diskPercent: int(1, 100, 'a percentage').default(90),
    memoryPercent: int(1, 100, 'a percentage').default(95),
    httpFailures: int(1, 100, 'a count').default(3).describe('Consecutive failed checks before http.down'),
    nodeUnreachablePolls: int(1, 100, 'a count')
      .default(2)
      .describe('Consecutive polls offline and unreachable by SSH'),
    storagePercent: int(1, 100, 'a percentage').default(90).describe('storage.high for a Proxmox storage pool'),
  }).prefault({}),
  guests: obj({
    agentFailures: int(1, 100, 'a count')
      .default(3)
      .describe('Consecutive failed guest-agent pings of a running VM before guest.unresponsive'),
    autoRestart: list(int(100, 999_999_999, 'a VMID'))
      .default([])
      .describe(
        'Guests whose unresponsive runbook (reset, then stop and start) may act without approval below level 4',
      ),
    autoRestartTag: pattern(/^[a-z0-9_][a-z0-9_+.-]*$/i, 'expected a Proxmox tag such as "vigil-autorestart"')
      .default('vigil-autorestart')
      .describe('Guests with this Proxmox tag are opted in like autoRestart'),
  }).prefault({}),
  backups: obj({
    required: list(int(100, 999_999_999, 'a VMID'))
      .default([])
      .describe('Guests that must have a successful backup within maxAgeDays (backup.missing)'),
    maxAgeDays: int(1, 365, 'a number of days').default(2),
  }).prefault({}),
  flapping: obj({
    openings: int(2, 1000, 'a count')
      .default(4)
      .describe('Openings of one incident key within the window that mark it flapping'),
    windowMinutes: int(1, 10_080, 'a number of minutes').default(60),
  }).prefault({}),
  guardrails: obj({
    maxAttempts: int(1, 100, 'a count').default(3).describe('Attempts per incident within the window, then escalate'),
    attemptWindowMinutes: int(1, 10_080, 'a number of minutes').default(60),
    backoffSeconds: list(int(0, 86_400, 'a whole number of seconds'))
      .default([30, 120, 300])
      .describe('Wait after the 1st, 2nd, ... failed attempt (the last value repeats)'),
    maxConcurrentNodes: int(1, 1000, 'a count').default(1).describe('Blast radius: nodes under remediation at once'),
    leaseSeconds: int(10, 86_400, 'a whole number of seconds')
      .default(600)
      .describe('A remediation lease expires after this long if its holder dies'),
    dailyActionCap: int(0, 100_000, 'a count').default(50).describe('Actions in any 24 hours, all runbooks together'),
  }).prefault({}),
  forecast: obj({
    windowDays: int(1, 365, 'a number of days')
      .default(7)
      .describe('disk.fill_predicted when the trend reaches 100 % within this many days'),
    minR2: z
      .number({ error: 'expected a number from 0 to 1' })
      .min(0, { error: 'expected a number from 0 to 1' })
      .max(1, { error: 'expected a number from 0 to 1' })
      .default(0.8)
      .describe('Minimum r² of the least-squares fit; a noisier series predicts nothing'),
    minSamples: int(2, 100_000, 'a count').default(6).describe('Samples needed before any prediction'),
    minSpanHours: int(0, 8760, 'a number of hours')
      .default(6)
      .describe('Time the samples must span before any prediction'),
    sampleRetentionDays: int(1, 3650, 'a number of days')
      .default(30)
      .describe('The daily run deletes disk and memory samples older than this'),
  }).prefault({}),
  outboxRetentionDays: int(1, 3650, 'a number of days')
    .default(30)
    .describe('The daily run deletes delivered and given-up notifications older than this'),
  runbooks: z
    .partialRecord(z.enum(CONDITIONS), runbookTuning)
    .default({})
    .describe('Per-condition runbook tuning: enabled, cooldownSeconds, verifyTimeoutSeconds, verifyIntervalSeconds'),
  maintenance: list(
    obj({
      target: str('expected "*", a node name, "guest:VMID", "service:NODE:UNIT" or "http:NAME"'),
      start: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 time such as "2025-06-01T22:00:00Z"' }),
      end: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 time such as "2025-06-01T23:00:00Z"' }),
      reason: z.string().default(''),
    }),
  )
    .default([])
    .describe('Windows in which incidents still open but no runbook acts on the target'),
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
  database: obj({ path: filePath().default('./vigil.db') }).prefault({}),
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
] as const;
