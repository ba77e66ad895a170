/**
 * Numbered schema migrations. Append only: migration N is applied once, in order, and never edited
 * after it has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: audit log, events, preferences, approvals
  `
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
  CREATE INDEX audit_tool_at ON audit (tool, at);

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
];
