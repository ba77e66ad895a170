/**
 * The monitor's persisted state (migration 2): incidents, autonomy actions (which are also the
 * attempt, cooldown and daily-cap counters, so a restart or a second process cannot reset them),
 * remediation leases (blast radius), silences and the last run of each schedule.
 * Lease changes run in IMMEDIATE transactions: two processes cannot both take the last slot.
 */
import type { Db } from './database.js';
import type { ActionResult, Condition, CycleKind, IncidentStatus } from '../contracts/conditions.js';
import type { Severity } from '../contracts/events.js';
import type { Incident, NewIncident } from '../contracts/incidents.js';
import { decideLease, type Lease } from '../contracts/leases.js';

export type { Incident, NewIncident, Lease };

export interface AutonomyAction {
  id: number;
  incidentId: number;
  incidentKey: string;
  runbook: string;
  tool: string | null;
  args: Record<string, unknown>;
  node: string | null;
  result: ActionResult;
  detail: string;
  verification: string | null;
  auditId: number | null;
  approvalId: string | null;
  holder: string;
  /** Whether it counts as an attempt: something was really tried on the infrastructure. */
  counts: boolean;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
}

export interface Silence {
  id: number;
  matcher: string;
  reason: string;
  createdBy: string;
  startsAt: number;
  endsAt: number;
}

export interface MonitorRun {
  kind: CycleKind;
  holder: string;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  error: string | null;
  summary: string | null;
}

type Row = Record<string, unknown>;
const json = (v: unknown) => (typeof v === 'string' && v !== '' ? (JSON.parse(v) as Record<string, unknown>) : {});

function incidentOf(r: Row): Incident {
  return {
    id: r.id as number,
    key: r.key as string,
    condition: r.condition as Condition,
    target: r.target as string,
    node: (r.node as string | null) ?? null,
    status: r.status as IncidentStatus,
    severity: r.severity as Severity,
    summary: r.summary as string,
    details: json(r.details),
    attempts: r.attempts as number,
    flapping: r.flapping === 1,
    approvalId: (r.approval_id as string | null) ?? null,
    firstSeen: r.first_seen as number,
    lastSeen: r.last_seen as number,
    resolvedAt: (r.resolved_at as number | null) ?? null,
    escalatedAt: (r.escalated_at as number | null) ?? null,
  };
}

function actionOf(r: Row): AutonomyAction {
  return {
    id: r.id as number,
    incidentId: r.incident_id as number,
    incidentKey: r.incident_key as string,
    runbook: r.runbook as string,
    tool: (r.tool as string | null) ?? null,
    args: json(r.args),
    node: (r.node as string | null) ?? null,
    result: r.result as ActionResult,
    detail: r.detail as string,
    verification: (r.verification as string | null) ?? null,
    auditId: (r.audit_id as number | null) ?? null,
    approvalId: (r.approval_id as string | null) ?? null,
    holder: r.holder as string,
    counts: r.counts === 1,
    startedAt: r.started_at as number,
    finishedAt: (r.finished_at as number | null) ?? null,
    durationMs: (r.duration_ms as number | null) ?? null,
  };
}

const leaseOf = (r: Row): Lease => ({
  node: r.node as string,
  holder: r.holder as string,
  pid: r.pid as number,
  host: r.host as string,
  incidentKey: r.incident_key as string,
  acquiredAt: r.acquired_at as number,
  expiresAt: r.expires_at as number,
});

/** Creates the monitor store over an open database (migration 2 applied). */
export function createMonitorStore(db: Db) {
  const q = {
    active: db.prepare(`SELECT * FROM incidents WHERE status <> 'resolved' ORDER BY id`),
    byId: db.prepare('SELECT * FROM incidents WHERE id = ?'),
    activeByKey: db.prepare(`SELECT * FROM incidents WHERE key = ? AND status <> 'resolved'`),
    list: db.prepare(`SELECT * FROM incidents WHERE (? IS NULL OR status = ?) ORDER BY id DESC LIMIT ?`),
    openings: db.prepare('SELECT COUNT(*) AS n FROM incidents WHERE key = ? AND first_seen >= ?'),
    insert: db.prepare(
      `INSERT INTO incidents (key, condition, target, node, status, severity, summary, details, flapping, first_seen, last_seen, updated_at)
       VALUES (@key, @condition, @target, @node, 'open', @severity, @summary, @details, @flapping, @at, @at, @at)
       ON CONFLICT DO NOTHING`,
    ),
    touch: db.prepare('UPDATE incidents SET last_seen = ?, summary = ?, details = ?, updated_at = ? WHERE id = ?'),
    // Resolved is final: a remediation finishing after detection resolved its incident must not reopen it.
    setStatus: db.prepare(`UPDATE incidents SET status = ?, updated_at = ? WHERE id = ? AND status <> 'resolved'`),
    resolve: db.prepare(
      `UPDATE incidents SET status = 'resolved', resolved_at = ?, updated_at = ? WHERE id = ? AND status <> 'resolved'`,
    ),
    escalate: db.prepare(
      `UPDATE incidents SET status = 'escalated', escalated_at = ?, updated_at = ? WHERE id = ? AND status <> 'resolved'`,
    ),
    setApproval: db.prepare('UPDATE incidents SET approval_id = ?, updated_at = ? WHERE id = ?'),
    addAttempt: db.prepare('UPDATE incidents SET attempts = attempts + 1, updated_at = ? WHERE id = ?'),
    actionInsert: db.prepare(
      `INSERT INTO autonomy_actions (incident_id, incident_key, runbook, tool, args, node, result, detail, holder, counts, started_at, approval_id)
       VALUES (@incidentId, @incidentKey, @runbook, @tool, @args, @node, @result, @detail, @holder, @counts, @startedAt, @approvalId)`,
    ),
    actionFinish: db.prepare(
      `UPDATE autonomy_actions SET result = @result, detail = @detail, verification = @verification, audit_id = @auditId,
         approval_id = COALESCE(@approvalId, approval_id), counts = @counts, finished_at = @finishedAt, duration_ms = @durationMs WHERE id = @id`,
    ),
    actionById: db.prepare('SELECT * FROM autonomy_actions WHERE id = ?'),
    actionsByKey: db.prepare('SELECT * FROM autonomy_actions WHERE incident_key = ? AND started_at >= ? ORDER BY id'),
    actionsByIncident: db.prepare('SELECT * FROM autonomy_actions WHERE incident_id = ? ORDER BY id'),
    actionsRecent: db.prepare(
      'SELECT * FROM autonomy_actions WHERE (? IS NULL OR incident_key = ?) ORDER BY id DESC LIMIT ?',
    ),
    actionsSince: db.prepare('SELECT * FROM autonomy_actions WHERE started_at >= ? ORDER BY id'),
    running: db.prepare(`SELECT * FROM autonomy_actions WHERE result = 'running' ORDER BY id`),
    leases: db.prepare('SELECT * FROM remediation_leases ORDER BY node'),
    leaseGet: db.prepare('SELECT * FROM remediation_leases WHERE node = ?'),
    leasePut: db.prepare(
      `INSERT INTO remediation_leases (node, holder, pid, host, incident_key, acquired_at, expires_at)
       VALUES (@node, @holder, @pid, @host, @incidentKey, @acquiredAt, @expiresAt)
       ON CONFLICT(node) DO UPDATE SET holder = excluded.holder, pid = excluded.pid, host = excluded.host,
         incident_key = excluded.incident_key, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at`,
    ),
    leaseDelete: db.prepare('DELETE FROM remediation_leases WHERE node = ? AND holder = ?'),
    leaseDrop: db.prepare('DELETE FROM remediation_leases WHERE node = ?'),
    leaseRenew: db.prepare('UPDATE remediation_leases SET expires_at = ? WHERE node = ? AND holder = ?'),
    silenceInsert: db.prepare(
      'INSERT INTO silences (matcher, reason, created_by, starts_at, ends_at, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    silencesActive: db.prepare('SELECT * FROM silences WHERE starts_at <= ? AND ends_at > ? ORDER BY id'),
    silenceEnd: db.prepare('UPDATE silences SET ends_at = ? WHERE id = ? AND ends_at > ?'),
    runPut: db.prepare(
      `INSERT INTO monitor_runs (kind, holder, started_at, finished_at, duration_ms, error, summary)
       VALUES (@kind, @holder, @startedAt, @finishedAt, @durationMs, @error, @summary)
       ON CONFLICT(kind) DO UPDATE SET holder = excluded.holder, started_at = excluded.started_at, finished_at = excluded.finished_at,
         duration_ms = excluded.duration_ms, error = excluded.error, summary = excluded.summary`,
    ),
    runs: db.prepare('SELECT * FROM monitor_runs ORDER BY kind'),
    // Guest stops any caller made through vigil: the audit log is where intent is written down.
    stops: db.prepare(
      // ORDER BY at lets SQLite use the partial index audit_guest_stops instead of scanning the log.
      `SELECT at, args FROM audit WHERE tool IN ('stop_guest', 'shutdown_guest') AND decision = 'allowed' AND at >= ? ORDER BY at, id`,
    ),
    giveBack: db.prepare('UPDATE incidents SET attempts = MAX(0, attempts - 1) WHERE id = ?'),
  };

  /**
   * Takes (or keeps) the lease on `lease.node` when the blast radius allows it (decideLease):
   * expired leases and those of dead holders are cleared first. One IMMEDIATE transaction, so two
   * processes cannot both take the last slot.
   */
  const acquireTx = db.transaction(
    (
      lease: Lease,
      maxNodes: number,
      alive: (l: Lease) => boolean,
    ): { ok: boolean; recovered: Lease[]; holders: Lease[] } => {
      const d = decideLease(
        (q.leases.all() as Row[]).map(leaseOf),
        { node: lease.node, holder: lease.holder, now: lease.acquiredAt },
        maxNodes,
        alive,
      );
      for (const l of d.drop) q.leaseDrop.run(l.node);
      if (d.grant) q.leasePut.run(lease);
      return { ok: d.grant, recovered: d.drop, holders: d.live };
    },
  );

  function tryOpenIncident(n: NewIncident, at: number): Incident | undefined {
    const info = q.insert.run({ ...n, details: JSON.stringify(n.details), flapping: n.flapping ? 1 : 0, at });
    return info.changes === 1 ? incidentOf(q.byId.get(info.lastInsertRowid) as Row) : undefined;
  }

  return {
    activeIncidents: (): Incident[] => (q.active.all() as Row[]).map(incidentOf),
    incident: (id: number): Incident | undefined => {
      const r = q.byId.get(id) as Row | undefined;
      return r ? incidentOf(r) : undefined;
    },
    activeIncident: (key: string): Incident | undefined => {
      const r = q.activeByKey.get(key) as Row | undefined;
      return r ? incidentOf(r) : undefined;
    },
    listIncidents: (o: { status?: IncidentStatus; limit: number }): Incident[] =>
      (q.list.all(o.status ?? null, o.status ?? null, o.limit) as Row[]).map(incidentOf),
    /** How many incidents with this key opened since `since` (flapping). */
    openingsSince: (key: string, since: number): number => (q.openings.get(key, since) as { n: number }).n,
    /**
     * Opens an incident; undefined when one with this key is already active — another process
     * sharing the database opened it since this one read the active list (it tells about it too).
     */
    tryOpenIncident,
    /** Opens an incident, or returns the active one with this key. */
    openIncident: (n: NewIncident, at: number): Incident =>
      tryOpenIncident(n, at) ?? incidentOf(q.activeByKey.get(n.key) as Row),
    touchIncident(id: number, summary: string, details: Record<string, unknown>, at: number): void {
      q.touch.run(at, summary, JSON.stringify(details), at, id);
    },
    /** Changes an active incident's status; a resolved one stays resolved. */
    setStatus: (id: number, status: IncidentStatus, at: number) => void q.setStatus.run(status, at, id),
    /** Resolves an active incident; false when it was resolved already (by another cycle or process). */
    resolveIncident: (id: number, at: number): boolean => q.resolve.run(at, at, id).changes === 1,
    /** Escalates an active incident; false when it was resolved meanwhile. */
    escalateIncident: (id: number, at: number): boolean => q.escalate.run(at, at, id).changes === 1,
    setApproval: (id: number, approvalId: string | null, at: number) => void q.setApproval.run(approvalId, at, id),

    /** Records an action before it runs (result `running`), so a crash mid-action still leaves a trace and counts. */
    startAction(a: Omit<AutonomyAction, 'id' | 'verification' | 'auditId' | 'finishedAt' | 'durationMs'>): number {
      const info = q.actionInsert.run({ ...a, args: JSON.stringify(a.args), counts: a.counts ? 1 : 0 });
      if (a.counts) q.addAttempt.run(a.startedAt, a.incidentId);
      return Number(info.lastInsertRowid);
    },
    finishAction(
      id: number,
      f: {
        result: ActionResult;
        detail: string;
        verification?: string | null;
        auditId?: number | null;
        approvalId?: string | null;
        counts: boolean;
        finishedAt: number;
        durationMs: number;
      },
    ): void {
      const before = q.actionById.get(id) as Row | undefined;
      q.actionFinish.run({ id, verification: null, auditId: null, approvalId: null, ...f, counts: f.counts ? 1 : 0 });
      // An action that turned out not to count (blocked at the gate, proposed) gives its attempt back.
      if (before && before.counts === 1 && !f.counts) q.giveBack.run(before.incident_id);
      if (before && before.counts === 0 && f.counts) q.addAttempt.run(f.finishedAt, before.incident_id);
    },
    action: (id: number): AutonomyAction | undefined => {
      const r = q.actionById.get(id) as Row | undefined;
      return r ? actionOf(r) : undefined;
    },
    actionsForKey: (key: string, since: number): AutonomyAction[] =>
      (q.actionsByKey.all(key, since) as Row[]).map(actionOf),
    actionsForIncident: (id: number): AutonomyAction[] => (q.actionsByIncident.all(id) as Row[]).map(actionOf),
    recentActions: (o: { incidentKey?: string; limit: number }): AutonomyAction[] =>
      (q.actionsRecent.all(o.incidentKey ?? null, o.incidentKey ?? null, o.limit) as Row[]).map(actionOf),
    actionsSince: (since: number): AutonomyAction[] => (q.actionsSince.all(since) as Row[]).map(actionOf),
    runningActions: (): AutonomyAction[] => (q.running.all() as Row[]).map(actionOf),

    leases: (): Lease[] => (q.leases.all() as Row[]).map(leaseOf),
    acquireLease: (lease: Lease, maxNodes: number, alive: (l: Lease) => boolean) =>
      acquireTx.immediate(lease, maxNodes, alive),
    renewLease: (node: string, holder: string, expiresAt: number): boolean =>
      q.leaseRenew.run(expiresAt, node, holder).changes === 1,
    releaseLease: (node: string, holder: string): boolean => q.leaseDelete.run(node, holder).changes === 1,

    addSilence(s: Omit<Silence, 'id'>, at: number): number {
      return Number(q.silenceInsert.run(s.matcher, s.reason, s.createdBy, s.startsAt, s.endsAt, at).lastInsertRowid);
    },
    activeSilences: (at: number): Silence[] =>
      (q.silencesActive.all(at, at) as Row[]).map((r) => ({
        id: r.id as number,
        matcher: r.matcher as string,
        reason: r.reason as string,
        createdBy: r.created_by as string,
        startsAt: r.starts_at as number,
        endsAt: r.ends_at as number,
      })),
    endSilence: (id: number, at: number): boolean => q.silenceEnd.run(at, id, at).changes === 1,

    /** Guests stopped or shut down through vigil (by any caller) since `since`: vmid → time of the call. */
    stopCallsSince(since: number): Map<number, number> {
      const out = new Map<number, number>();
      for (const r of q.stops.all(since) as { at: number; args: string }[]) {
        const vmid = Number((json(r.args) as { vmid?: unknown }).vmid);
        if (Number.isInteger(vmid)) out.set(vmid, r.at);
      }
      return out;
    },

    recordRun: (run: MonitorRun) => void q.runPut.run(run),
    runs: (): MonitorRun[] =>
      (q.runs.all() as Row[]).map((r) => ({
        kind: r.kind as CycleKind,
        holder: r.holder as string,
        startedAt: r.started_at as number,
        finishedAt: (r.finished_at as number | null) ?? null,
        durationMs: (r.duration_ms as number | null) ?? null,
        error: (r.error as string | null) ?? null,
        summary: (r.summary as string | null) ?? null,
      })),
  };
}

export type MonitorStore = ReturnType<typeof createMonitorStore>;

const stores = new WeakMap<Db, MonitorStore>();

/** The monitor store of `db`, built once per connection (tools reach it through `ctx.deps.stores.db`). */
export function monitorStoreOf(db: Db): MonitorStore {
  let s = stores.get(db);
  if (!s) stores.set(db, (s = createMonitorStore(db)));
  return s;
}
