/**
 * Guardrails as pure decisions over persisted state (docs/ARCHITECTURE.md §8.6). The remediator reads the state
 * from SQLite, asks here, and records what happened; property tests drive these functions with
 * arbitrary sequences.
 */
import type { AutonomyLevel } from '../contracts/tiers.js';
import type { IncidentStatus } from '../contracts/conditions.js';

export const SKIP_REASONS = [
  'disabled',
  'no_action',
  'silenced',
  'flapping',
  'kill_switch',
  'observe_only',
  'notify_only',
  'attempts_exhausted',
  'backoff',
  'cooldown',
  'daily_cap',
  'awaiting_approval',
  'approval_denied',
  'blast_radius',
  'precondition',
  'in_progress',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface GuardLimits {
  maxAttempts: number;
  windowMs: number;
  /** Wait after the 1st, 2nd, ... failed attempt; the last value repeats. */
  backoffMs: readonly number[];
  dailyCap: number;
}

export interface GuardInput {
  now: number;
  runbook: { enabled: boolean; acts: boolean; cooldownMs: number };
  incident: { status: IncidentStatus; flapping: boolean };
  /** Why the target is silenced or in maintenance now, or null. */
  silenced: string | null;
  killSwitchActive: boolean;
  level: AutonomyLevel;
  /** Start times of this incident key's attempts (actions that really tried something), any order. */
  attempts: readonly number[];
  /** When this runbook last succeeded on this target, or null (cooldown). */
  lastSuccessAt: number | null;
  /** Attempts by any runbook within the last 24 hours. */
  actionsLastDay: number;
  limits: GuardLimits;
}

export type GuardDecision =
  | { verdict: 'act' }
  | { verdict: 'escalate'; detail: string }
  | { verdict: 'skip'; reason: SkipReason; detail: string; retryAt?: number };

export const DAY_MS = 86_400_000;

/** Attempts of the sliding window ending at `now`, oldest first. */
export function attemptsInWindow(attempts: readonly number[], now: number, windowMs: number): number[] {
  return attempts.filter((t) => t > now - windowMs && t <= now).sort((a, b) => a - b);
}

/**
 * Whether the monitor may act on an incident now. Order (first match wins):
 *  1. runbook disabled, or it has no action (notify-only runbooks) → skip
 *  2. target silenced or in a maintenance window → skip
 *  3. incident flapping → skip (it was notified once when it opened)
 *  4. kill switch on (any scope) → skip; checked again right before acting, and by the pipeline
 *  5. autonomy level 0 → skip (observe), level 1 → skip (notify); level 2 proceeds and the gate
 *     turns the call into an approval request
 *  6. `maxAttempts` attempts inside the sliding window → escalate once, then skip until the
 *     oldest attempt leaves the window
 *  7. back-off after failed attempts → skip until it passes
 *  8. runbook cooldown after its last success on this target → skip
 *  9. daily action cap reached → skip
 * 10. otherwise act (the blast-radius lease is taken next, atomically, in the store)
 */
export function decideRemediation(g: GuardInput): GuardDecision {
  if (!g.runbook.enabled) return { verdict: 'skip', reason: 'disabled', detail: 'runbook disabled by config' };
  if (!g.runbook.acts) return { verdict: 'skip', reason: 'no_action', detail: 'this runbook only notifies' };
  if (g.silenced !== null) return { verdict: 'skip', reason: 'silenced', detail: g.silenced };
  if (g.incident.flapping)
    return { verdict: 'skip', reason: 'flapping', detail: 'incident is flapping; no automatic action' };
  if (g.killSwitchActive) return { verdict: 'skip', reason: 'kill_switch', detail: 'the kill switch is on' };
  if (g.level === 0) return { verdict: 'skip', reason: 'observe_only', detail: 'autonomy level 0 (observe)' };
  if (g.level === 1) return { verdict: 'skip', reason: 'notify_only', detail: 'autonomy level 1 (notify)' };
  const recent = attemptsInWindow(g.attempts, g.now, g.limits.windowMs);
  if (recent.length >= g.limits.maxAttempts) {
    const retryAt = recent[recent.length - g.limits.maxAttempts]! + g.limits.windowMs;
    if (g.incident.status !== 'escalated')
      return { verdict: 'escalate', detail: `${recent.length} attempts within the window` };
    return {
      verdict: 'skip',
      reason: 'attempts_exhausted',
      detail: `${recent.length} attempts within the window`,
      retryAt,
    };
  }
  if (recent.length > 0) {
    const b = g.limits.backoffMs;
    const wait = b.length === 0 ? 0 : b[Math.min(recent.length, b.length) - 1]!;
    const retryAt = recent[recent.length - 1]! + wait;
    if (retryAt > g.now)
      return { verdict: 'skip', reason: 'backoff', detail: `back-off after attempt ${recent.length}`, retryAt };
  }
  if (g.lastSuccessAt !== null && g.lastSuccessAt + g.runbook.cooldownMs > g.now) {
    return {
      verdict: 'skip',
      reason: 'cooldown',
      detail: 'runbook cooling down after its last success here',
      retryAt: g.lastSuccessAt + g.runbook.cooldownMs,
    };
  }
  if (g.actionsLastDay >= g.limits.dailyCap)
    return { verdict: 'skip', reason: 'daily_cap', detail: `daily action cap (${g.limits.dailyCap}) reached` };
  return { verdict: 'act' };
}

export interface SilenceRule {
  matcher: string;
  reason: string;
  startsAt: number;
  endsAt: number;
}

/**
 * Whether a silence or maintenance window covers an incident at `now`. Matchers: `*` (everything),
 * an incident key (`guest.crashed:101`), a node name (everything on that node), `guest:VMID`,
 * `service:NODE:UNIT`, `http:NAME`. Returns the reason, or null.
 */
export function silenceReason(
  incident: { key: string; condition: string; target: string; node: string | null },
  rules: readonly SilenceRule[],
  now: number,
): string | null {
  for (const r of rules) {
    if (!(r.startsAt <= now && now < r.endsAt)) continue;
    if (matches(r.matcher, incident)) return `silenced (${r.matcher})${r.reason ? `: ${r.reason}` : ''}`;
  }
  return null;
}

function matches(m: string, i: { key: string; condition: string; target: string; node: string | null }): boolean {
  if (m === '*' || m === i.key) return true;
  if (m === i.node || (i.condition === 'node.unreachable' && m === i.target)) return true;
  if (m.startsWith('guest:')) return i.condition === 'guest.crashed' && m.slice(6) === i.target;
  if (m.startsWith('service:')) return i.condition === 'service.failed' && m.slice(8).replace(':', '/') === i.target;
  if (m.startsWith('http:')) return i.condition === 'http.down' && m.slice(5) === i.target;
  return false;
}
