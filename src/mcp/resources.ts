/**
 * MCP resources for one session (revision 2025-11-25: resources/list, resources/templates/list,
 * resources/read, resources/subscribe and their notifications; the 2026-07-28 subscriptions/listen
 * is not served by SDK 1.x).
 *
 * vigil://cluster is a fresh read through executeTool('get_cluster_status'), never the monitor's
 * cached observation: the stdio server has no monitor, the observation lacks quorum and the open
 * problems, and going through the pipeline audits the read like any tool read (and obeys the gate).
 * The other resources are vigil's own records, read from the stores like the dashboard's REST reads:
 * they touch no host and change nothing, so they are not actions and are not audited — auditing
 * them would also grow the audit log on every notification-driven refresh.
 *
 * Change notifications come from the event bus, so events another process wrote reach subscribers
 * once this process polls the bus (the HTTP server's event stream does; `vigil mcp` polls too), and,
 * for vigil://cluster in the daemon, from the monitor's observation after each cycle.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type Resource,
} from '@modelcontextprotocol/sdk/types.js';
import type { Caller } from '../contracts/tiers.js';
import type { EventBus } from '../realtime/bus.js';
import type { HomelabSnapshot } from '../realtime/socket-protocol.js';
import type { Pipeline } from './pipeline.js';
import {
  approvalUri,
  changedUris,
  changesListing,
  clusterPrint,
  CLUSTER_URI,
  incidentUri,
  INCIDENTS_URI,
  JSON_MIME,
  listingChanged,
  parseResourceUri,
  readRecord,
  touchesCluster,
  urisNamedBy,
  type RecordDeps,
  type ResourceRef,
} from './resource-records.js';
import { rpcError } from './rpc-error.js';

/** JSON-RPC code the spec gives a resource that does not exist. */
export const RESOURCE_NOT_FOUND = -32002;

export interface ResourceDeps extends RecordDeps {
  pipeline: Pick<Pipeline, 'executeTool'>;
  bus: Pick<EventBus, 'subscribe'>;
  /** The monitor's observation feed, when a monitor runs in this process: a changed cluster outside any event. */
  observations?: {
    latest(): HomelabSnapshot;
    subscribe(listener: (snapshot: HomelabSnapshot) => void): () => void;
  };
}

const STATIC: Resource[] = [
  {
    uri: CLUSTER_URI,
    name: 'cluster',
    title: 'Cluster snapshot',
    description:
      'Quorum, nodes with CPU, memory and disk use, guest counts and what needs attention (get_cluster_status).',
    mimeType: JSON_MIME,
  },
  {
    uri: INCIDENTS_URI,
    name: 'incidents',
    title: 'Open incidents',
    description: 'Incidents not yet resolved, oldest first.',
    mimeType: JSON_MIME,
  },
];

const TEMPLATES = [
  {
    uriTemplate: 'vigil://incidents/{id}',
    name: 'incident',
    title: 'One incident',
    description: 'An incident by id, resolved ones too.',
    mimeType: JSON_MIME,
  },
  {
    uriTemplate: 'vigil://audit/{id}',
    name: 'audit-row',
    title: 'One audit row',
    description: 'One audit log row by id (arguments redacted, no session id).',
    mimeType: JSON_MIME,
  },
  {
    uriTemplate: 'vigil://approvals/{id}',
    name: 'approval',
    title: 'One approval',
    description: 'An approval request by id (apr_…): tool, arguments, plan, status and who decided.',
    mimeType: JSON_MIME,
  },
];

const notFound = (uri: string) =>
  rpcError(RESOURCE_NOT_FOUND, `resource not found: ${JSON.stringify(uri.slice(0, 200))}`);

/**
 * Declares the resources capability on `server` (before it connects) and serves it; returns a
 * function that drops the session's bus subscription (also dropped when the server closes).
 */
export function registerResources(server: Server, deps: ResourceDeps, caller: () => Caller): () => void {
  server.registerCapabilities({ resources: { subscribe: true, listChanged: true } });

  const listing = (): Resource[] => {
    const incidents = deps.stores.monitor.activeIncidents().map((i) => ({
      uri: incidentUri(i.id),
      name: `incident-${i.id}`,
      title: `incident ${i.key} (${i.status})`,
      description: String(deps.redact(i.summary)),
      mimeType: JSON_MIME,
    }));
    const approvals = deps.stores.approvals.pending(deps.now()).map((a) => ({
      uri: approvalUri(a.id),
      name: `approval-${a.id}`,
      title: `approval waiting: ${a.tool}`,
      description: String(deps.redact(a.plan)),
      mimeType: JSON_MIME,
    }));
    return [...STATIC, ...incidents, ...approvals];
  };

  const readCluster = async (): Promise<unknown> => {
    const result = await deps.pipeline.executeTool('get_cluster_status', {}, caller());
    if (result.kind === 'result' && result.decision === 'allowed' && !result.isError) return result.data;
    const why = result.kind === 'protocol_error' ? result.message : result.text;
    throw rpcError(ErrorCode.InternalError, `${CLUSTER_URI}: ${why.split('\n')[0]}`);
  };

  const read = async (uri: string, ref: ResourceRef | undefined): Promise<unknown> => {
    if (!ref) throw notFound(uri);
    const value = ref.kind === 'cluster' ? await readCluster() : readRecord(ref, deps);
    if (value === undefined) throw notFound(uri);
    return value;
  };

  // Subscribed URIs and the fingerprint of what the client could last have read (cluster: none kept).
  const subscribed = new Map<string, string>();
  const fingerprint = (ref: ResourceRef): string =>
    ref.kind === 'cluster' ? '' : (JSON.stringify(readRecord(ref, deps)) ?? 'gone');
  let listed = listing().map((r) => r.uri);

  server.setRequestHandler(ListResourcesRequestSchema, async () => {
    const resources = listing();
    listed = resources.map((r) => r.uri);
    return { resources };
  });
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates: TEMPLATES }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const { uri } = request.params;
    const value = await read(uri, parseResourceUri(uri));
    return { contents: [{ uri, mimeType: JSON_MIME, text: JSON.stringify(value, null, 2) }] };
  });
  server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    const { uri } = request.params;
    const ref = parseResourceUri(uri);
    // A record must exist to be watched; the cluster always exists (reading it may still fail).
    if (!ref || (ref.kind !== 'cluster' && readRecord(ref, deps) === undefined)) throw notFound(uri);
    subscribed.set(uri, fingerprint(ref));
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });

  const send = (p: Promise<void>): void => {
    // A client that went away mid-notification is the transport's business, not the publisher's.
    p.catch(() => undefined);
  };
  const unsubscribe = deps.bus.subscribe((event) => {
    const before = new Map<string, string>();
    const after = new Map<string, string>();
    const due = new Set<string>();
    for (const [uri, print] of subscribed) {
      const ref = parseResourceUri(uri)!;
      if (ref.kind === 'cluster') {
        if (touchesCluster(event)) due.add(uri);
        continue;
      }
      before.set(uri, print);
      after.set(uri, fingerprint(ref));
    }
    for (const uri of [...changedUris(before, after), ...urisNamedBy(event)]) {
      if (!subscribed.has(uri)) continue;
      subscribed.set(uri, after.get(uri) ?? '');
      due.add(uri);
    }
    for (const uri of due) send(server.sendResourceUpdated({ uri }));
    const now = listing().map((r) => r.uri);
    if (changesListing(event) || listingChanged(listed, now)) {
      listed = now;
      send(server.sendResourceListChanged());
    }
  });
  // A guest stopped by hand or a node going offline shows in the monitor's next cycle before (or
  // without) any event: the cluster is due when what it would report changed.
  let observed = deps.observations ? clusterPrint(deps.observations.latest()) : '';
  const unobserve =
    deps.observations?.subscribe((snapshot) => {
      const print = clusterPrint(snapshot);
      if (print === observed) return;
      observed = print;
      if (subscribed.has(CLUSTER_URI)) send(server.sendResourceUpdated({ uri: CLUSTER_URI }));
    }) ?? (() => undefined);
  const stop = () => {
    unsubscribe();
    unobserve();
  };
  const previous = server.onclose;
  server.onclose = () => {
    stop();
    previous?.();
  };
  return stop;
}
