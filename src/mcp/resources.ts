/**
 * MCP resources: resources/list, resources/templates/list and resources/read for every revision;
 * change notifications through resources/subscribe for a 2025 session, and through the
 * subscriptions/listen streams of revision 2026-07-28, which the SDK's serving entries hold and
 * filter (this module only says which URIs changed).
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
import { ProtocolErrorCode, type Resource, type Server } from '@modelcontextprotocol/server';
import type { Caller } from '../contracts/tiers.js';
import type { EventBus } from '../realtime/bus.js';
import type { VigilEvent } from '../contracts/events.js';
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

/**
 * JSON-RPC code of a resource that does not exist: Invalid Params since SEP-2164 (revision
 * 2026-07-28; the SDK sends it to 2025 clients too, where the spec said -32002), with the URI as data.
 */
export const RESOURCE_NOT_FOUND = -32602;

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
  rpcError(RESOURCE_NOT_FOUND, `resource not found: ${JSON.stringify(uri.slice(0, 200))}`, { uri: uri.slice(0, 200) });

/** Where change notifications go: a 2026-07-28 endpoint's `notify`, or one instance's own senders. */
export interface ChangeSink {
  updated(uri: string): void;
  listChanged(): void;
}

/**
 * The 2026-07-28 feed: on each event, every URI it names (and the cluster when the event touches it)
 * is reported updated, and the listing changed when the event adds or removes a listed resource;
 * the SDK's listen router passes each to the streams that asked for it. Returns the unsubscribe.
 */
export function watchChanges(deps: Pick<ResourceDeps, 'bus' | 'observations'>, sink: ChangeSink): () => void {
  const unsubscribe = deps.bus.subscribe((event) => {
    const due = new Set(urisNamedBy(event));
    if (touchesCluster(event)) due.add(CLUSTER_URI);
    for (const uri of due) sink.updated(uri);
    if (changesListing(event)) sink.listChanged();
  });
  let observed = deps.observations ? clusterPrint(deps.observations.latest()) : '';
  const unobserve =
    deps.observations?.subscribe((snapshot) => {
      const print = clusterPrint(snapshot);
      if (print === observed) return;
      observed = print;
      sink.updated(CLUSTER_URI);
    }) ?? (() => undefined);
  return () => {
    unsubscribe();
    unobserve();
  };
}

/**
 * Declares the resources capability on `server` (before it connects) and serves it. `feed` says
 * who tells subscribers of changes: `session` (a 2025 session: resources/subscribe, and this
 * session's own bus subscription), `all` (a 2026-07-28 stdio connection: the instance reports
 * every change and the stdio entry routes it onto its listen streams) or `none` (a 2026-07-28
 * HTTP request: the endpoint's one `watchChanges` feed does). The bus subscription is dropped
 * when the server closes.
 */
export function registerResources(
  server: Server,
  deps: ResourceDeps,
  caller: () => Caller,
  feed: 'session' | 'all' | 'none' = 'session',
): void {
  server.registerCapabilities({ resources: { subscribe: true, listChanged: true } });

  const listing = async (): Promise<Resource[]> => {
    const incidents = (await deps.stores.monitor.activeIncidents()).map((i) => ({
      uri: incidentUri(i.id),
      name: `incident-${i.id}`,
      title: `incident ${i.key} (${i.status})`,
      description: String(deps.redact(i.summary)),
      mimeType: JSON_MIME,
    }));
    const approvals = (await deps.stores.approvals.pending(deps.now())).map((a) => ({
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
    throw rpcError(ProtocolErrorCode.InternalError, `${CLUSTER_URI}: ${why.split('\n')[0]}`);
  };

  const read = async (uri: string, ref: ResourceRef | undefined): Promise<unknown> => {
    if (!ref) throw notFound(uri);
    const value = ref.kind === 'cluster' ? await readCluster() : await readRecord(ref, deps);
    if (value === undefined) throw notFound(uri);
    return value;
  };

  // What this client last listed: a change to it is due as resources/list_changed (2025 sessions).
  const seen = { listed: [] as string[] };
  const first = listing().then(
    (r) => void (seen.listed = r.map((x) => x.uri)),
    () => undefined,
  );
  server.setRequestHandler('resources/list', async () => {
    await first;
    const resources = await listing();
    seen.listed = resources.map((r) => r.uri);
    return { resources };
  });
  server.setRequestHandler('resources/templates/list', async () => ({ resourceTemplates: TEMPLATES }));
  server.setRequestHandler('resources/read', async (request) => {
    const { uri } = request.params;
    const value = await read(uri, parseResourceUri(uri));
    return { contents: [{ uri, mimeType: JSON_MIME, text: JSON.stringify(value, null, 2) }] };
  });

  if (feed === 'none') return;
  const stop =
    feed === 'all'
      ? watchChanges(deps, {
          updated: (uri) => send(server.sendResourceUpdated({ uri })),
          listChanged: () => send(server.sendResourceListChanged()),
        })
      : watchSession(server, deps, async () => (await listing()).map((r) => r.uri), seen);
  const previous = server.onclose;
  server.onclose = () => {
    stop();
    previous?.();
  };
}

/** A client that went away mid-notification is the transport's business, not the publisher's. */
function send(p: Promise<void>): void {
  p.catch(() => undefined);
}

/**
 * A 2025 session's subscriptions: resources/subscribe and resources/unsubscribe, and notifications
 * for what it subscribed to, from its own bus subscription. Returns the unsubscribe.
 */
function watchSession(
  server: Server,
  deps: ResourceDeps,
  listNow: () => Promise<string[]>,
  seen: { listed: string[] },
): () => void {
  // Subscribed URIs and the fingerprint of what the client could last have read (cluster: none kept).
  const subscribed = new Map<string, string>();
  const fingerprint = async (ref: ResourceRef): Promise<string> =>
    ref.kind === 'cluster' ? '' : (JSON.stringify(await readRecord(ref, deps)) ?? 'gone');

  server.setRequestHandler('resources/subscribe', async (request) => {
    const { uri } = request.params;
    const ref = parseResourceUri(uri);
    // A record must exist to be watched; the cluster always exists (reading it may still fail).
    if (!ref || (ref.kind !== 'cluster' && (await readRecord(ref, deps)) === undefined)) throw notFound(uri);
    subscribed.set(uri, await fingerprint(ref));
    return {};
  });
  server.setRequestHandler('resources/unsubscribe', async (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });

  // Events are handled one after another (each reads the store): notifications keep their order.
  let handling: Promise<void> = Promise.resolve();
  const unsubscribe = deps.bus.subscribe((event) => {
    handling = handling.then(() => onEvent(event)).catch(() => undefined);
  });
  async function onEvent(event: VigilEvent): Promise<void> {
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
      after.set(uri, await fingerprint(ref));
    }
    for (const uri of [...changedUris(before, after), ...urisNamedBy(event)]) {
      if (!subscribed.has(uri)) continue;
      subscribed.set(uri, after.get(uri) ?? '');
      due.add(uri);
    }
    for (const uri of due) send(server.sendResourceUpdated({ uri }));
    const now = await listNow();
    if (changesListing(event) || listingChanged(seen.listed, now)) {
      seen.listed = now;
      send(server.sendResourceListChanged());
    }
  }
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
  return () => {
    unsubscribe();
    unobserve();
  };
}
