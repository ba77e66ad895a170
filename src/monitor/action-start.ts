/**
 * The record an autonomy action starts with, as every place the monitor records one builds it:
 * `running` with no detail yet, for the incident and runbook it serves.
 */
import type { Incident } from '../contracts/incidents.js';
import type { MonitorPort } from '../db/ports.js';
import type { Runbook } from './runbooks.js';

export type ActionStart = Parameters<MonitorPort['startAction']>[0];

/** The start record of an action on `incident` under `rb`; `a` says what runs, where, and who holds it. */
export function actionStart(
  incident: Pick<Incident, 'id' | 'key'>,
  rb: Pick<Runbook, 'name'>,
  a: Omit<ActionStart, 'incidentId' | 'incidentKey' | 'runbook' | 'result' | 'detail'>,
): ActionStart {
  return { incidentId: incident.id, incidentKey: incident.key, runbook: rb.name, result: 'running', detail: '', ...a };
}
