/**
 * The commented example vigil.yaml that `vigil init` writes. It configures no infrastructure: the
 * operator uncomments and edits the examples. examples/vigil.example.yaml is a copy (tested equal).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../errors.js';

export const EXAMPLE_CONFIG = `# vigil.yaml — configuration of the vigil MCP server and remediation loop.
# Any string value may use \${env:NAME}; secrets belong in the environment, not in this file.
# Relative paths resolve against the directory of this file. Schema: schema/vigil.schema.json

server:
  host: 127.0.0.1          # bind address; keep loopback unless a reverse proxy fronts vigil
  port: 8377
  allowedHosts: []         # extra Host header values accepted on /mcp, e.g. ["vigil.lan:8377"]
  allowedOrigins: []       # browser Origins accepted on /mcp, e.g. ["https://chat.example"]

auth:
  # Two different tokens of at least 16 characters, e.g. from: openssl rand -hex 32
  assistantToken: \${env:VIGIL_ASSISTANT_TOKEN}   # for MCP clients (the AI assistant)
  operatorToken: \${env:VIGIL_OPERATOR_TOKEN}     # for you: REST, dashboard, approvals

database:
  path: ./vigil.db

logging:
  level: info              # fatal, error, warn, info, debug, trace or silent

safety:
  confirmation: elicit     # elicit: ask in the chat when the client can, else operator approval; approval: always operator
  approvalTtlSeconds: 600
  toolTimeoutSeconds: 30
  dryRun: false            # true: yellow and red tools only say what they would do
  readOnly: false          # true: only read-only tools (and the kill switch)
  disabledTools: []        # e.g. [run_command, shutdown_node]
  protected:               # targets no caller may stop, reboot or shut down
    nodes: []              # e.g. [pve1]
    guests: []             # e.g. [100]  (the VM that runs vigil, the router)

# Proxmox VE API, with an API token (Datacenter > Permissions > API Tokens):
# proxmox:
#   url: https://192.168.1.10:8006
#   tokenId: vigil@pve!monitor
#   tokenSecret: \${env:VIGIL_PROXMOX_TOKEN_SECRET}
#   tls:
#     fingerprint: "AB:CD:...:EF"   # SHA-256 of the node certificate; or caFile: ./pve-root-ca.pem
#   timeoutSeconds: 10

nodes: []
# nodes:
#   - name: pve1
#     ssh:
#       host: 192.168.1.10
#       user: root
#       privateKeyFile: ~/.ssh/vigil_ed25519
#       # ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the node prints this:
#       hostKeyFingerprint: SHA256:...
#     wol:
#       mac: "aa:bb:cc:dd:ee:ff"
#       address: 192.168.1.255      # the subnet's broadcast address
#     services: [nginx.service, pveproxy.service]
#     cleanup:
#       logPaths: [/var/log/nginx]
#       maxAgeDays: 14
#       journalVacuumSize: 500M
#       packageCache: true
#       truncateAboveMB: 100        # bigger *.log files: gzip a copy, then truncate in place

httpChecks: []
# httpChecks:
#   - name: web
#     url: http://192.168.1.20/
#     expectStatus: 200
#     bodyMatch: Welcome
#     node: pve1                    # where the service that serves it runs,
#     service: nginx.service        # restarted when the check keeps failing

# The autonomous monitor (runs inside "vigil serve"; "vigil once" runs one cycle by hand).
monitor:
  enabled: true
  dryRun: false            # true: open incidents, but only say what the runbooks would do
  schedules:
    criticalSeconds: 15    # guests, nodes (divisors of a minute, or whole minutes/hours)
    fastSeconds: 5         # the critical interval while incidents are open
    routineSeconds: 300    # disk, memory, services, HTTP checks
    daily: "0 30 3 * * *"  # node-cron expression (with seconds)
  thresholds:
    diskPercent: 90
    memoryPercent: 95
    httpFailures: 3        # consecutive failed checks before http.down
    nodeUnreachablePolls: 2
  flapping:
    openings: 4            # this many openings of one incident within the window: no more actions
    windowMinutes: 60
  guardrails:
    maxAttempts: 3         # per incident within the window, then escalate
    attemptWindowMinutes: 60
    backoffSeconds: [30, 120, 300]
    maxConcurrentNodes: 1  # blast radius
    leaseSeconds: 600
    dailyActionCap: 50
  forecast:                # disk.fill_predicted: a least-squares trend over stored disk samples
    windowDays: 7          # raise when the trend reaches 100 % within this many days
    minR2: 0.8             # and the line fits this well (noise predicts nothing)
    minSamples: 6
    minSpanHours: 6
    sampleRetentionDays: 30
  outboxRetentionDays: 30  # delivered notifications are kept this long
  runbooks: {}
  # runbooks:
  #   disk.high: { enabled: false }
  #   guest.crashed: { cooldownSeconds: 300, verifyTimeoutSeconds: 120 }
  maintenance: []
  # maintenance:
  #   - { target: pve2, start: "2025-06-01T22:00:00Z", end: "2025-06-01T23:30:00Z", reason: kernel update }

# Where reports, escalations and recovery notices go. Every notification is queued in the database
# first, so nothing is lost while the mail server or a webhook is down or vigil restarts.
notifications:
  reportDigestSeconds: 300   # remediation reports: at most one digest per 5 minutes; escalations go at once
  retry:
    initialSeconds: 30       # delay after a failed delivery, doubled each time,
    maxSeconds: 1800         # up to this,
    giveUpHours: 72          # and dropped (with a notification.failed event) after this long
  # email:
  #   host: smtp.example.com
  #   port: 587
  #   secure: false            # true for TLS from the first byte (port 465)
  #   user: vigil@example.com
  #   password: \${env:VIGIL_SMTP_PASSWORD}
  #   from: vigil <vigil@example.com>
  #   to: [ops@example.com]
  webhooks: []
  # webhooks:
  #   - url: \${env:VIGIL_SLACK_WEBHOOK_URL}    # https://hooks.slack.com/services/...
  #     format: slack                         # slack, discord or ntfy
  #   - url: https://ntfy.sh/my-homelab-alerts
  #     format: ntfy
  #     headers: { Authorization: \${env:VIGIL_NTFY_AUTH} }
`;

/**
 * Writes EXAMPLE_CONFIG to `file`, readable by its owner only (it may come to hold secrets).
 * Refuses to overwrite an existing file.
 */
export function writeExampleConfig(file: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, EXAMPLE_CONFIG, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new ConfigError(file, [
        `${file}: already exists; refusing to overwrite it (edit it, or move it away first)`,
      ]);
    }
    throw new ConfigError(file, [`${file}: cannot write it (${code ?? String(err)})`]);
  }
}
