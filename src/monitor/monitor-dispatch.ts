/**
 * Handing active incidents to the remediator: at most one remediation per incident key in this
 * process, an unexpected failure turned into a skipped outcome, and, for a plan-only cycle, the
 * guardrail verdict each incident would get. Cycles are monitor.ts's job.
 */
import type { Condition } from '../contracts/conditions.js';
import type { Incident } from '../contracts/incidents.js';
import { decideRemediation } from './guardrails.js';
import type { IncidentPlan } from './incidents.js';
import { guardInputFor, type Outcome, type Remediator } from './remediate.js';
import type { Runbook } from './runbooks.js';
import type { CycleReport, MonitorDeps } from './monitor-types.js';

/** What dispatch needs: the runbooks, the remediator, and the signal that stops new remediations. */
export interface DispatchDeps extends Pick<MonitorDeps, 'config' | 'stores' | 'logger' | 'now'> {
  runbooks: Map<Condition, Runbook>;
  remediator: Pick<Remediator, 'remediate'>;
  signal: AbortSignal;
}

/** Creates the dispatcher of remediations for active incidents. */
export function createDispatch(deps: DispatchDeps) {
  const { config, stores, logger, now, runbooks, remediator, signal } = deps;
  const store = stores.monitor;
  const inFlight = new Map<string, Promise<Outcome>>();

  /** Plan-only: per active (and not resolving) or would-open incident, the guardrail verdict and the call. */
  async function wouldDo(plan: IncidentPlan, active: readonly Incident[]): Promise<CycleReport['wouldDo']> {
    const t = now();
    const pseudo: Incident[] = plan.open.map((n, i) => ({
      ...n,
      id: -1 - i,
      status: 'open',
      attempts: 0,
      approvalId: null,
      firstSeen: t,
      lastSeen: t,
      resolvedAt: null,
      escalatedAt: null,
    }));
    const resolving = new Set(plan.resolve.map((i) => i.key));
    return Promise.all(
      [...active.filter((i) => !resolving.has(i.key)), ...pseudo].map(async (incident) => {
        const rb = runbooks.get(incident.condition)!;
        const call = rb.action(incident, config);
        return {
          key: incident.key,
          summary: incident.summary,
          decision: decideRemediation(await guardInputFor({ config, store, stores, now }, incident, rb, call)),
          call,
        };
      }),
    );
  }

  /** Starts a remediation for each active incident that has none running; resolves when those are done. */
  async function remediateActive(): Promise<Outcome[]> {
    const started: Promise<Outcome>[] = [];
    for (const incident of await store.activeIncidents()) {
      if (inFlight.has(incident.key) || signal.aborted) continue;
      const p = remediator.remediate(incident).catch((err: unknown): Outcome => {
        logger.error(
          { incident: incident.key, err: err instanceof Error ? err.message : String(err) },
          'monitor: remediation failed unexpectedly',
        );
        return {
          key: incident.key,
          verdict: 'skipped',
          reason: 'precondition',
          detail: `internal error: ${err instanceof Error ? err.message : String(err)}`,
        };
      });
      inFlight.set(incident.key, p);
      void p.finally(() => inFlight.delete(incident.key));
      started.push(p);
    }
    return Promise.all(started);
  }

  return {
    wouldDo,
    remediateActive,
    /** The incident keys with a remediation running in this process. */
    inFlight: () => [...inFlight.keys()],
    /** Waits for every remediation running in this process, including any started meanwhile. */
    drain: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight.values()]);
    },
  };
}
