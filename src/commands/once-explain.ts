/**
 * What `vigil once` says about one problem after the cycle: what vigil did or why it did not, and
 * what happens next. A pure function of the remediation outcome and the facts read back after the
 * cycle (the guardrail's retry time, the approval filed, the incident's status), so every
 * verdict and reason has a sentence a test can pin.
 */
import type { Outcome } from '../monitor/remediate.js';

/** What was true once the cycle had settled, as far as this problem is concerned. */
export interface OnceFacts {
  /** When the guardrail lets the monitor try again (cooldown, back-off, attempt window). */
  retryAt?: number;
  /** The approval the incident waits for, if any. */
  approval?: { id: string; expiresAt: number; status: string };
  /** The incident after the cycle; undefined when it is resolved (or was never opened). */
  status?: string;
  /** `monitor.guardrails.maxConcurrentNodes`, for blast-radius skips. */
  maxConcurrentNodes: number;
  autonomyLevel: number;
  killSwitch: { active: boolean; scope: string };
}

export interface Explanation {
  /** What vigil did, or why it did not act. */
  did: string;
  /** What happens next, and what the operator can do. */
  next: string;
}

/** `HH:MM:SS UTC`, or with the date when it is not today. */
export function clock(at: number, now: number): string {
  const iso = new Date(at).toISOString();
  const sameDay = iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return `${sameDay ? '' : `${iso.slice(0, 10)} `}${iso.slice(11, 19)} UTC`;
}

const call = (o: { tool: string; args: Record<string, unknown> }) => `${o.tool} ${JSON.stringify(o.args)}`;
const firstLine = (s: string) => s.split('\n')[0] ?? '';
const RETRY = 'the next cycle tries again (vigil serve does it on its own; or run vigil once again)';

function approvalNext(a: OnceFacts['approval'], now: number): string {
  if (!a) return 'an operator decides the approval (vigil status lists it); the next cycle acts on the decision';
  return `an operator decides: vigil approve ${a.id} (or vigil deny ${a.id}) before ${clock(a.expiresAt, now)}; the next cycle then runs it`;
}

function whenAgain(f: OnceFacts, now: number, what: string): string {
  return f.retryAt !== undefined
    ? `${what} again after ${clock(f.retryAt, now)} if the problem is still there`
    : `${what} again on a later cycle if the problem is still there`;
}

/** The sentences for one outcome. */
export function explainOutcome(o: Outcome, f: OnceFacts, now: number): Explanation {
  if (o.verdict === 'escalated')
    return {
      did: `escalated: ${o.detail}`,
      next: `no more automatic attempts for now (${f.retryAt !== undefined ? `the attempt window frees up at ${clock(f.retryAt, now)}` : 'until the attempt window frees up'}); an operator should look (escalations are notified at once)`,
    };
  if (o.verdict === 'acted') {
    const tried = `${call(o)} → ${o.result}`;
    switch (o.result) {
      case 'succeeded':
        return { did: `${tried} (${firstLine(o.detail)})`, next: 'nothing: verified and resolved' };
      case 'pending_approval':
        return {
          did: `filed approval ${f.approval?.id ?? '(id not recorded)'} for ${call(o)} (autonomy level ${f.autonomyLevel}: the call needs an operator's approval)`,
          next: approvalNext(f.approval, now),
        };
      case 'dry_run':
        return {
          did: `monitor.dryRun is on: would call ${call(o)}`,
          next: 'nothing is changed while monitor.dryRun is true',
        };
      case 'interrupted':
        return { did: `${tried}; vigil stopped before verifying`, next: 'the next cycle sees whether it took effect' };
      default:
        return {
          did: `${tried}: ${firstLine(o.detail)}`,
          next:
            f.status === 'escalated'
              ? 'escalated: that was the last attempt allowed in the window; an operator should look'
              : whenAgain(f, now, 'vigil tries'),
        };
    }
  }
  const why = `${o.reason.replace(/_/g, ' ')}: ${o.detail}`;
  switch (o.reason) {
    case 'cooldown':
      return {
        did: `no action (cooldown: the runbook fixed this target recently${f.retryAt !== undefined ? `; cooling down until ${clock(f.retryAt, now)}` : ''})`,
        next: whenAgain(f, now, 'vigil acts'),
      };
    case 'backoff':
      return {
        did: `no action (${why}${f.retryAt !== undefined ? `, until ${clock(f.retryAt, now)}` : ''})`,
        next: whenAgain(f, now, 'vigil tries'),
      };
    case 'attempts_exhausted':
      return { did: `no action (${why}; already escalated)`, next: whenAgain(f, now, 'vigil tries') };
    case 'blast_radius':
      return {
        did: `no action (blast radius: ${o.detail.replace(/^nodes under remediation: /, 'the remediation lease is held for ')}; at most ${f.maxConcurrentNodes} node(s) at once, monitor.guardrails.maxConcurrentNodes)`,
        next: `${RETRY}, once that lease is released`,
      };
    case 'kill_switch':
      return {
        did: `no action (the kill switch is on, scope ${f.killSwitch.scope})`,
        next: 'nothing automatic until it is released: vigil killswitch off',
      };
    case 'observe_only':
    case 'notify_only':
      return {
        did: `no action (${o.detail}: the monitor ${o.reason === 'observe_only' ? 'only records' : 'only notifies'})`,
        next: 'nothing automatic; act yourself, or raise the level with set_autonomy_level 3',
      };
    case 'awaiting_approval':
      return { did: `no action (${o.detail})`, next: approvalNext(f.approval, now) };
    case 'approval_denied':
      return {
        did: `no action (${o.detail})`,
        next: 'nothing automatic for this incident; it stays open until the problem is gone',
      };
    case 'daily_cap':
      return {
        did: `no action (${o.detail}, monitor.guardrails.dailyActionCap)`,
        next: 'vigil acts again once the oldest action of the last 24 hours leaves the window',
      };
    case 'silenced':
      return { did: `no action (${o.detail})`, next: 'nothing automatic until the silence or maintenance ends' };
    case 'flapping':
      return {
        did: `no action (${o.detail})`,
        next: 'nothing automatic while it keeps opening and resolving; it was notified once',
      };
    case 'no_action':
      return {
        did: `notified only; this runbook takes no automatic action: ${o.detail}`,
        next: 'look at it yourself (run_diagnostic); it resolves when it drops below the threshold',
      };
    case 'disabled':
      return { did: `no action (${o.detail})`, next: 'nothing: enable the runbook in monitor.runbooks to act' };
    case 'precondition':
      return { did: `no action (${o.detail})`, next: RETRY };
    default:
      return { did: `no action (${why})`, next: RETRY };
  }
}
