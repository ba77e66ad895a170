/**
 * The autonomy_actions table (migration 2): one row per remediation step the monitor took or tried.
 * The rows are also the attempt, cooldown and daily-cap counters, so a restart or a second process
 * cannot reset them; an action that counts bumps its incident's attempt counter as well.
 */
import { boundLimit, type Db } from './database.js';
import type { ActionResult } from '../contracts/conditions.js';
import type { AttemptCounter } from './incidents.js';
import { actionOf, type AutonomyAction, type Row } from './rows.js';

export type { AutonomyAction };

/** How an action ended, written by `finishAction`. */
export interface ActionFinish {
  result: ActionResult;
  detail: string;
  verification?: string | null;
  auditId?: number | null;
  approvalId?: string | null;
  counts: boolean;
  finishedAt: number;
  durationMs: number;
}

/** Creates the autonomy-action store; `attempts` keeps the incidents' attempt counters in step. */
export function createActionStore(db: Db, attempts: AttemptCounter) {
  const q = {
    insert: db.prepare(
      `INSERT INTO autonomy_actions (incident_id, incident_key, runbook, tool, args, node, result, detail, holder, counts, started_at, approval_id)
       VALUES (@incidentId, @incidentKey, @runbook, @tool, @args, @node, @result, @detail, @holder, @counts, @startedAt, @approvalId)`,
    ),
    finish: db.prepare(
      `UPDATE autonomy_actions SET result = @result, detail = @detail, verification = @verification, audit_id = @auditId,
         approval_id = COALESCE(@approvalId, approval_id), counts = @counts, finished_at = @finishedAt, duration_ms = @durationMs WHERE id = @id`,
    ),
    byId: db.prepare('SELECT * FROM autonomy_actions WHERE id = ?'),
    byKey: db.prepare('SELECT * FROM autonomy_actions WHERE incident_key = ? AND started_at >= ? ORDER BY id'),
    byIncident: db.prepare('SELECT * FROM autonomy_actions WHERE incident_id = ? ORDER BY id'),
    recent: db.prepare(
      `SELECT * FROM autonomy_actions WHERE (? IS NULL OR incident_key = ?) ORDER BY id DESC ${boundLimit()}`,
    ),
    since: db.prepare('SELECT * FROM autonomy_actions WHERE started_at >= ? ORDER BY id'),
    running: db.prepare(`SELECT * FROM autonomy_actions WHERE result = 'running' ORDER BY id`),
  };

  return {
    /** Records an action before it runs (result `running`), so a crash mid-action still leaves a trace and counts. */
    startAction(a: Omit<AutonomyAction, 'id' | 'verification' | 'auditId' | 'finishedAt' | 'durationMs'>): number {
      const info = q.insert.run({ ...a, args: JSON.stringify(a.args), counts: a.counts ? 1 : 0 });
      if (a.counts) attempts.add(a.incidentId, a.startedAt);
      return Number(info.lastInsertRowid);
    },
    finishAction(id: number, f: ActionFinish): void {
      const before = q.byId.get(id) as Row | undefined;
      q.finish.run({ id, verification: null, auditId: null, approvalId: null, ...f, counts: f.counts ? 1 : 0 });
      // An action that turned out not to count (blocked at the gate, proposed) gives its attempt back.
      if (before && before.counts === 1 && !f.counts) attempts.giveBack(before.incident_id as number);
      if (before && before.counts === 0 && f.counts) attempts.add(before.incident_id as number, f.finishedAt);
    },
    action: (id: number): AutonomyAction | undefined => {
      const r = q.byId.get(id) as Row | undefined;
      return r ? actionOf(r) : undefined;
    },
    actionsForKey: (key: string, since: number): AutonomyAction[] => (q.byKey.all(key, since) as Row[]).map(actionOf),
    actionsForIncident: (id: number): AutonomyAction[] => (q.byIncident.all(id) as Row[]).map(actionOf),
    recentActions: (o: { incidentKey?: string; limit: number }): AutonomyAction[] =>
      (q.recent.all(o.incidentKey ?? null, o.incidentKey ?? null, o.limit) as Row[]).map(actionOf),
    actionsSince: (since: number): AutonomyAction[] => (q.since.all(since) as Row[]).map(actionOf),
    runningActions: (): AutonomyAction[] => (q.running.all() as Row[]).map(actionOf),
  };
}

export type ActionStore = ReturnType<typeof createActionStore>;
