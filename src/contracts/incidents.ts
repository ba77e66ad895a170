/**
 * What detection reports and what the monitor persists: a finding (one condition that holds now)
 * and the incident it opens. Shared by the detectors, the incident planner and the monitor store.
 * Part of the contracts layer: imports nothing of vigil's outside it.
 */
import type { Condition, IncidentStatus } from './conditions.js';
import type { Severity } from './events.js';

/** One condition that holds now. */
export interface Finding {
  key: string;
  condition: Condition;
  target: string;
  node: string | null;
  severity: Severity;
  summary: string;
  details: Record<string, unknown>;
}

/** A finding about to become an incident. */
export interface NewIncident extends Finding {
  flapping: boolean;
}

/** An incident as stored: keyed by `condition:target` across restarts. */
export interface Incident {
  id: number;
  key: string;
  condition: Condition;
  target: string;
  node: string | null;
  status: IncidentStatus;
  severity: Severity;
  summary: string;
  details: Record<string, unknown>;
  /** Attempts ever made for this incident (the guardrail counts a sliding window by key instead). */
  attempts: number;
  flapping: boolean;
  approvalId: string | null;
  firstSeen: number;
  lastSeen: number;
  resolvedAt: number | null;
  escalatedAt: number | null;
}
