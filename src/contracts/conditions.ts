/**
 * The monitor's closed vocabularies: the conditions it detects, the states an incident goes
 * through, how an action ended, the schedules. Part of the contracts layer: imports nothing of vigil's.
 */

/** Conditions this monitor detects and has runbooks for (`disk.fill_predicted` from the stored disk samples). */
export const CONDITIONS = [
  'guest.crashed',
  'node.unreachable',
  'service.failed',
  'http.down',
  'disk.high',
  'memory.high',
  'disk.fill_predicted',
  'guest.unresponsive',
  'guest.down',
  'storage.high',
  'ha.error',
  'backup.failed',
  'backup.missing',
] as const;
export type Condition = (typeof CONDITIONS)[number];

/** open → remediating → resolved | escalated (an escalated incident may be retried once its window passes). */
export const INCIDENT_STATUSES = ['open', 'remediating', 'resolved', 'escalated'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** How one remediation attempt ended, as recorded in autonomy_actions. */
export const ACTION_RESULTS = [
  'running',
  'succeeded',
  'failed',
  'verify_failed',
  'blocked',
  'pending_approval',
  'dry_run',
  'interrupted',
  'notified',
] as const;
export type ActionResult = (typeof ACTION_RESULTS)[number];

/** The three schedules. */
export const CYCLE_KINDS = ['critical', 'routine', 'daily'] as const;
export type CycleKind = (typeof CYCLE_KINDS)[number];

/** `condition:target`, the key an incident is known by across restarts. */
export function incidentKey(condition: Condition, target: string): string {
  return `${condition}:${target}`;
}
