/**
 * The routine cycle's observation: disk and memory (from the cluster, or over SSH without
 * Proxmox), the configured services' systemd state, the HTTP checks, and Proxmox's storage, HA
 * and backup readings.
 */
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/types.js';
import type { InfraClients } from '../clients/index.js';
import { parseSystemctlShow } from '../clients/commands/index.js';
import type { NodeObs } from './detect.js';
import type { RoutineObservation } from './detect-routine.js';
import type { createPveReader } from './observe-pve.js';
import { errText, probe, type Reads } from './observe-reads.js';
import type { Observation } from './homelab.js';

/** What the routine observation reads through and reports to. */
export interface RoutineDeps {
  config: VigilConfig;
  clients: InfraClients;
  logger: Logger;
  now: () => number;
  /** Gets the cycle's readings (the dashboard's homelab view); must not throw. */
  observed?: (o: Observation) => void;
  reads: Pick<Reads, 'cluster' | 'ssh' | 'usageOverSsh'>;
  pve: Pick<ReturnType<typeof createPveReader>, 'readings' | 'httpDown'>;
}

/** Creates the routine cycle's observation. */
export function createRoutineObservation(deps: RoutineDeps) {
  const { config, clients, logger, reads, pve } = deps;

  /** Disk and memory (cluster, or SSH without Proxmox), configured services, HTTP checks. */
  return async function routine(signal?: AbortSignal): Promise<RoutineObservation> {
    const c = await reads.cluster(signal);
    let nodes: NodeObs[] | null = c?.nodes ?? null;
    if (!clients.proxmox)
      nodes = await Promise.all(config.nodes.filter((n) => n.ssh).map((n) => reads.usageOverSsh(n, signal)));
    const online = (name: string) => (nodes ? nodes.find((n) => n.name === name)?.online !== false : true);
    const services = new Map<string, Map<string, string>>();
    await Promise.all(
      config.nodes
        .filter((n) => n.ssh && n.services.length > 0 && online(n.name))
        .map(async (n) => {
          try {
            const states = new Map<string, string>();
            for (const unit of n.services) {
              const r = await reads.ssh(n, { kind: 'show', unit }, signal);
              if (r.exitCode === 0) states.set(unit, parseSystemctlShow(r.stdout).activeState);
            }
            services.set(n.name, states);
          } catch (err) {
            logger.warn({ node: n.name, err: errText(err) }, 'monitor: reading services failed');
          }
        }),
    );
    const http = new Map<string, { ok: boolean; error?: string; node?: string; service?: string }>();
    await Promise.all(
      config.httpChecks.map(async (check) => {
        if (!clients.http) return;
        const r = await probe(clients.http, check, signal);
        if (check.vmid !== undefined) {
          if (r.ok) pve.httpDown.delete(check.vmid);
          else pve.httpDown.add(check.vmid);
        }
        http.set(check.name, {
          ok: r.ok,
          ...(r.error ? { error: r.error } : {}),
          ...(check.node ? { node: check.node } : {}),
          ...(check.service ? { service: check.service } : {}),
        });
      }),
    );
    deps.observed?.({ kind: 'routine', at: deps.now(), cluster: c, nodes, services, http });
    return { nodes, services, http, ...(c ? { pve: await pve.readings(c, signal) } : {}) };
  };
}
