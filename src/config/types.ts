/**
 * The loaded, validated and normalised shape of vigil.yaml. Other modules code against these
 * types only; the zod schema in schema.ts describes the file as written (defaults, env references).
 */

/** Log levels pino understands, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** auto: readable lines on a terminal, JSON otherwise. */
export const LOG_FORMATS = ['auto', 'pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** How red-tier calls from the assistant are confirmed (docs/ARCHITECTURE.md §5). */
export const CONFIRMATION_MODES = ['elicit', 'approval'] as const;
export type ConfirmationMode = (typeof CONFIRMATION_MODES)[number];

/** JSON bodies a notification webhook can take. */
export const WEBHOOK_FORMATS = ['slack', 'discord', 'ntfy'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export interface VigilConfig {
  /** absolute path of the file loaded */
  file: string;
  server: {
    /** default 127.0.0.1 */
    host: string;
    /** default 8377 */
    port: number;
    /** extra Host header values accepted on /mcp */
    allowedHosts: string[];
    /** Origins accepted on /mcp */
    allowedOrigins: string[];
    /** 2025-protocol /mcp sessions: at most `max` open (default 200), closed after `idleSeconds` idle (default 1800) */
    mcpSessions: { max: number; idleSeconds: number };
    /** OAuth 2.1 resource-server mode for /mcp; absent: static bearer tokens only */
    oauth?: OAuthConfig;
  };
  /** resolved secret values */
  auth: { assistantToken: string; operatorToken: string };
  /** absolute; relative paths resolve against the config file's directory; default ./vigil.db */
  /** `url` set: PostgreSQL (shared by several daemons); else the SQLite file at `path`. */
  database: { path: string; url?: string };
  /** default info, auto */
  logging: { level: LogLevel; format?: LogFormat };
  safety: {
    /**
     * elicit: ask through MCP elicitation when the client supports it, else operator approval;
     * approval: always operator approval. default 'elicit'
     */
    confirmation: ConfirmationMode;
    /** default 600 */
    approvalTtlSeconds: number;
    /** default 30 */
    toolTimeoutSeconds: number;
    /** default false: global dry run, yellow/red only say what they would do */
    dryRun: boolean;
    /** default false: only green tools (and the kill switch) are available */
    readOnly: boolean;
    /** default [] */
    disabledTools: string[];
    /** targets no caller may stop/reboot/shut down */
    protected: { nodes: string[]; guests: number[] };
    /** hosts, addresses or CIDR blocks check_http may probe besides the httpChecks URLs; default [] */
    httpAllow: string[];
  };
  proxmox?: {
    /** https://host:8006 (no /api2/json suffix, no trailing slash) */
    url: string;
    /** USER@REALM!TOKENID */
    tokenId: string;
    /** secret */
    tokenSecret: string;
    /** at most one of the three; insecure default false */
    tls: {
      caFile?: string;
      /** SHA-256 "AA:BB:..." (32 bytes, upper-case after load) */
      fingerprint?: string;
      insecure: boolean;
    };
    /** default 10 */
    timeoutSeconds: number;
    /** storages run_backup may write to, the first is its default; default ["local"] */
    backupStorages: string[];
  };
  /** default [] */
  nodes: NodeConfig[];
  /** default [] */
  httpChecks: HttpCheckConfig[];
  monitor: MonitorConfig;
  notifications: NotificationsConfig;
}

/** Where reports, escalations and recovery notices go, all through the outbox (docs/ARCHITECTURE.md §10.3). */
export interface NotificationsConfig {
  email?: {
    host: string;
    /** default 587 */
    port: number;
    /** TLS from the first byte (port 465); false: STARTTLS when the server offers it. default false */
    secure: boolean;
    user?: string;
    /** secret */
    password?: string;
    /** e.g. "vigil <vigil@example.com>" */
    from: string;
    /** at least one address */
    to: string[];
  };
  /** default [] */
  webhooks: WebhookConfig[];
  /** reports are folded into at most one digest per this many seconds, per destination; default 300 */
  reportDigestSeconds: number;
  retry: {
    /** delay after the first failed attempt, doubled after each further one; default 30 */
    initialSeconds: number;
    /** cap on the delay; default 1800 */
    maxSeconds: number;
    /** a notification still undelivered this long after it was queued is dropped, with an event; default 72 */
    giveUpHours: number;
  };
}

export interface WebhookConfig {
  /** secret: Slack and Discord webhook URLs carry their token; for ntfy, the topic URL */
  url: string;
  format: WebhookFormat;
  /** extra request headers, e.g. Authorization for a protected ntfy topic (values are secrets); default {} */
  headers: Record<string, string>;
}

/** The autonomous monitor (docs/ARCHITECTURE.md §8); every field has a default. */
export interface MonitorConfig {
  /** default true: `vigil serve` runs it */
  enabled: boolean;
  /** default false: detect and open incidents, only say what runbooks would do */
  dryRun: boolean;
  /** seconds; critical 15, fast (while incidents are open) 5, routine 300; daily is a node-cron expression */
  schedules: { criticalSeconds: number; fastSeconds: number; routineSeconds: number; daily: string };
  /** disk 90 %, memory 95 %, 3 failed HTTP checks, 2 unreachable polls */
  thresholds: {
    diskPercent: number;
    memoryPercent: number;
    httpFailures: number;
    nodeUnreachablePolls: number;
    /** storage.high for a Proxmox storage pool; default 90 */
    storagePercent: number;
  };
  /** guest.unresponsive: 3 failed agent pings; opted-in guests (list or Proxmox tag) act without approval below level 4 */
  guests: { agentFailures: number; autoRestart: number[]; autoRestartTag: string };
  /** backup.missing: these guests need a successful backup within maxAgeDays (default 2) */
  backups: { required: number[]; maxAgeDays: number };
  /** 4 openings of one key within 60 minutes */
  flapping: { openings: number; windowMinutes: number };
  guardrails: {
    maxAttempts: number;
    attemptWindowMinutes: number;
    backoffSeconds: number[];
    maxConcurrentNodes: number;
    leaseSeconds: number;
    dailyActionCap: number;
  };
  /** disk.fill_predicted: 7-day window, r² ≥ 0.8, 6 samples over 6 hours; samples kept 30 days */
  forecast: {
    windowDays: number;
    minR2: number;
    minSamples: number;
    minSpanHours: number;
    sampleRetentionDays: number;
  };
  /** delivered and given-up notifications are deleted after this many days; default 30 */
  outboxRetentionDays: number;
  /** per condition */
  runbooks: Partial<
    Record<
      string,
      { enabled: boolean; cooldownSeconds?: number; verifyTimeoutSeconds?: number; verifyIntervalSeconds?: number }
    >
  >;
  /** ISO times as written */
  maintenance: { target: string; start: string; end: string; reason: string }[];
}

export interface NodeConfig {
  /** Proxmox node name / host label; [a-zA-Z0-9][a-zA-Z0-9-]* ; unique */
  name: string;
  ssh?: {
    host: string;
    /** default 22 */
    port: number;
    /** default root */
    user: string;
    /** absolute after load, ~ expanded */
    privateKeyFile?: string;
    /** secret */
    passphrase?: string;
    /** use SSH_AUTH_SOCK; default false */
    agent: boolean;
    /** "SHA256:base64" as ssh-keygen -lf prints */
    hostKeyFingerprint: string;
    /** default 30 */
    commandTimeoutSeconds: number;
  };
  wol?: {
    /** lower-case aa:bb:cc:dd:ee:ff */
    mac: string;
    /** broadcast address, default 255.255.255.255 */
    address: string;
    /** default 9 */
    port: number;
    /** direct: vigil's own UDP packet (default); proxmox: POST /nodes/{node}/wakeonlan on a live peer */
    via: 'direct' | 'proxmox';
  };
  /** systemd units vigil may check and restart on this node, e.g. nginx.service; default [] */
  services: string[];
  cleanup: {
    /** absolute dirs old logs may be deleted from */
    logPaths: string[];
    /** default 14 */
    maxAgeDays: number;
    /** e.g. "500M"; default "500M" */
    journalVacuumSize: string;
    /** default true */
    packageCache: boolean;
    /** *.log files under logPaths larger than this (MiB) are gzipped to a copy and truncated; default 100 */
    truncateAboveMB: number;
  };
}

export interface HttpCheckConfig {
  name: string;
  url: string;
  /** default 200 */
  expectStatus: number;
  /** a substring the response body must contain */
  bodyMatch?: string;
  /** default 5 */
  timeoutSeconds: number;
  tls: { insecure: boolean; caFile?: string };
  /** where the service that serves it runs: a configured node */
  node?: string;
  /** a unit in that node's services */
  service?: string;
  /** the guest serving the check: failures while it runs raise guest.unresponsive */
  vmid?: number;
}

/** A claim value that grants a role; `name` may be dotted (`realm_access.roles`). */
export interface OAuthClaimMatch {
  name: string;
  value: string;
}

/** `server.oauth`: vigil verifies the identity provider's access tokens; it never issues any. */
export interface OAuthConfig {
  /** OpenID Connect issuer (https, or http on loopback) */
  issuer: string;
  /** /mcp as clients reach it: the RFC 9728 resource */
  resource: string;
  /** the aud an access token must carry; default resource */
  audience?: string;
  /** default "vigil:assistant" unless assistantClaim is set */
  assistantScope?: string;
  assistantClaim?: OAuthClaimMatch;
  /** marks an operator; such a token is refused on /mcp */
  operatorScope?: string;
  operatorClaim?: OAuthClaimMatch;
  /** keep accepting auth.assistantToken on /mcp; default true */
  staticAssistantToken: boolean;
  /** default 600 */
  jwksCacheSeconds: number;
}
