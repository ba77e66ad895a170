/**
 * Incidents from findings: a pure plan (what opens, what is seen again, what resolves), then its
 * application to the store with events and notifications on every state transition.
 *
 * Dependency suppression applies to openings only: a finding about something on a node that is
 * down opens nothing, but an open incident there still resolves when its target is seen healthy.
 */
import type { MonitorPort } from '../db/ports.js';
import type { Finding, Incident, NewIncident } from '../contracts/incidents.js';
import type { EventBus } from '../realtime/bus.js';
import type { Condition } from '../contracts/conditions.js';
import type { Notifier } from './ports.js';

export interface IncidentPlan {
  open: NewIncident[];
  seen: { incident: Incident; finding: Finding }[];
  resolve: Incident[];
  /** Findings not opened because their node is down. */
  suppressed: Finding[];
}

/**
 * Plans one cycle's incident changes. `scope` is the set of conditions this cycle judged: an
 * incident of another condition is neither seen nor resolved here. `openings(key)` counts how
 * often the key opened within the flapping window; the opening that reaches `flapOpenings` is
 * marked flapping (no action, one notification).
 */
export function planIncidents(input: {
  findings: readonly Finding[];
  healthy: ReadonlySet<string>;
  downNodes: ReadonlySet<string>;
  active: readonly Incident[];
  scope: readonly Condition[];
  openings: (key: string) => number;
  flapOpenings: number;
}): IncidentPlan {
  const byKey = new Map(input.active.map((i) => [i.key, i]));
  const plan: IncidentPlan = { open: [], seen: [], resolve: [], suppressed: [] };
  for (const f of input.findings) {
    const existing = byKey.get(f.key);
    if (existing) {
      plan.seen.push({ incident: existing, finding: f });
      continue;
    }
    const dependent = f.condition !== 'node.unreachable' && f.node !== null && input.downNodes.has(f.node);
    if (dependent) {
      plan.suppressed.push(f);
      continue;
    }
    plan.open.push({
      key: f.key,
      condition: f.condition,
      target: f.target,
      node: f.node,
      severity: f.severity,
      summary: f.summary,
      details: f.details,
      flapping: input.openings(f.key) + 1 >= input.flapOpenings,
    });
  }
  for (const i of input.active) {
    if (input.scope.includes(i.condition) && input.healthy.has(i.key)) plan.resolve.push(i);
  }
  return plan;
}

export interface IncidentLogDeps {
  store: MonitorPort;
  bus: EventBus;
  notifier?: Notifier;
  now: () => number;
  /** Autonomy level 0 (observe) records only: no notifications. */
  notifying: () => Promise<boolean>;
}

/** Applies a plan: writes incidents with their incident.* events, queues notifications. */
export async function applyIncidentPlan(
  plan: IncidentPlan,
  deps: IncidentLogDeps,
): Promise<{ opened: Incident[]; resolved: Incident[] }> {
  const at = deps.now();
  const opened: Incident[] = [];
  for (const n of plan.open) {
    // The row and its incident.opened event commit together: no reader sees one without the other.
    const done = await deps.bus.publishWith(
      (m) => m.tryOpenIncident(n, at),
      (incident) => ({
        type: 'incident.opened',
        severity: n.severity,
        title: `${n.condition} ${n.target}${n.flapping ? ' (flapping: no automatic action)' : ''}`,
        message: n.summary,
        ...(n.node ? { node: n.node } : {}),
        target: n.target,
        incidentKey: n.key,
        data: { incidentId: incident.id, condition: n.condition, flapping: n.flapping, details: n.details },
      }),
    );
    if (!done) continue;
    opened.push(done.value);
    if (await deps.notifying()) {
      await deps.notifier?.enqueue({
        kind: 'report',
        incidentKey: n.key,
        subject: `[vigil] ${n.flapping ? 'flapping' : 'incident'}: ${n.summary}`,
        body: n.flapping
          ? `${n.summary}\nThis incident opened repeatedly within the flapping window; vigil will not act on it automatically.`
          : n.summary,
      });
    }
  }
  for (const { incident, finding } of plan.seen)
    await deps.store.touchIncident(incident.id, finding.summary, finding.details, at);
  const resolved: Incident[] = [];
  for (const incident of plan.resolve) resolved.push(await resolveIncident(incident, 'seen healthy again', deps));
  return { opened, resolved };
}

/** Resolves one incident (detection saw it healthy, or a remediation verified recovery). */
export async function resolveIncident(incident: Incident, how: string, deps: IncidentLogDeps): Promise<Incident> {
  const at = deps.now();
  // Detection and a verifying remediation may both see the recovery: only the first one tells,
  // and its row change and incident.resolved event commit together.
  const told = await deps.bus.publishWith(
    (m) => m.resolveIncident(incident.id, at),
    () => ({
      type: 'incident.resolved',
      severity: 'info',
      title: `${incident.condition} ${incident.target} resolved`,
      message: `${incident.summary} — ${how} after ${Math.round((at - incident.firstSeen) / 1000)} s`,
      ...(incident.node ? { node: incident.node } : {}),
      target: incident.target,
      incidentKey: incident.key,
      data: {
        incidentId: incident.id,
        condition: incident.condition,
        attempts: incident.attempts,
        durationMs: at - incident.firstSeen,
      },
    }),
  );
  if (!told)
    return { ...incident, status: 'resolved', resolvedAt: (await deps.store.incident(incident.id))?.resolvedAt ?? at };
  if (await deps.notifying()) {
    await deps.notifier?.enqueue({
      kind: 'recovery',
      incidentKey: incident.key,
      subject: `[vigil] resolved: ${incident.condition} ${incident.target}`,
      body: `${incident.summary}\nResolved (${how}) after ${Math.round((at - incident.firstSeen) / 1000)} s and ${incident.attempts} attempt(s).`,
    });
  }
  return { ...incident, status: 'resolved', resolvedAt: at };
}
