/**
 * Numbered schema migrations. Append only: migration N is applied once, in order, and never edited
 * after it has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: audit log, events, preferences, approvals
  `
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    caller_kind TEXT NOT NULL,
    caller_id TEXT NOT NULL,
    session_id TEXT,
    tool TEXT NOT NULL,
    tier TEXT,
    args TEXT NOT NULL,
    target TEXT,
    decision TEXT NOT NULL,
    outcome TEXT NOT NULL,
    duration_ms REAL NOT NULL,
    error TEXT,
    approval_id TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  -- Partial: only guest stops are indexed (the monitor asks "was this stop intended?"), so the
  -- append path of every other call pays nothing for it.
  CREATE INDEX audit_guest_stops ON audit (at) WHERE tool IN ('stop_guest', 'shutdown_guest');

  CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    type TEXT NOT NULL,
    severity TEXT NOT NULL,
    title TEXT NOT NULL,
    message TEXT NOT NULL,
    node TEXT,
    target TEXT,
    incident_key TEXT,
    data TEXT,
    at INTEGER NOT NULL
  );

  CREATE TABLE preferences (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE approvals (
    id TEXT PRIMARY KEY,
    tool TEXT NOT NULL,
    args TEXT NOT NULL,
    args_hash TEXT NOT NULL,
    session_id TEXT,
    caller_kind TEXT NOT NULL,
    caller_id TEXT NOT NULL,
    plan TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    decided_at INTEGER,
    decided_by TEXT,
    used_at INTEGER
  );
  CREATE INDEX approvals_status ON approvals (status, expires_at);
  `,
  // 2: the monitor — incidents, autonomy actions, remediation leases, silences, schedule runs
  `
  CREATE TABLE incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    condition TEXT NOT NULL,
    target TEXT NOT NULL,
    node TEXT,
    status TEXT NOT NULL,
    severity TEXT NOT NULL,
    summary TEXT NOT NULL,
    details TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    flapping INTEGER NOT NULL DEFAULT 0,
    approval_id TEXT,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    resolved_at INTEGER,
    escalated_at INTEGER,
    updated_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX incidents_one_active ON incidents (key) WHERE status <> 'resolved';
  CREATE INDEX incidents_key_first ON incidents (key, first_seen);
  CREATE INDEX incidents_status ON incidents (status, last_seen);

  CREATE TABLE autonomy_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    incident_key TEXT NOT NULL,
    runbook TEXT NOT NULL,
    tool TEXT,
    args TEXT NOT NULL,
    node TEXT,
    result TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    verification TEXT,
    audit_id INTEGER,
    approval_id TEXT,
    holder TEXT NOT NULL,
    counts INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    duration_ms REAL
  );
  CREATE INDEX autonomy_actions_key ON autonomy_actions (incident_key, started_at);
  CREATE INDEX autonomy_actions_started ON autonomy_actions (started_at);

  CREATE TABLE remediation_leases (
    node TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    incident_key TEXT NOT NULL,
    acquired_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );

  CREATE TABLE silences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    matcher TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE monitor_runs (
    kind TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    duration_ms REAL,
    error TEXT,
    summary TEXT
  );
  `,
  // 3: notification outbox and metric samples
  `
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    incident_key TEXT,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    last_error TEXT,
    delivered_at INTEGER
  );
  CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
  CREATE INDEX outbox_channel ON outbox (channel, kind, status);

  CREATE TABLE samples (
    node TEXT NOT NULL,
    metric TEXT NOT NULL,
    value REAL NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX samples_series ON samples (node, metric, at);
  CREATE INDEX samples_at ON samples (at);
  `,
  // 4: approvals are bound to the requester's identity (its principal), not its MCP session
  `
  ALTER TABLE approvals ADD COLUMN principal TEXT NOT NULL DEFAULT '';
  `,
];
