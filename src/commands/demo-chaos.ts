/**
 * Chaos for `vigil demo`: every so often one fault is injected into the lab through its state —
 * a guest crashes, a service fails, a disk fills, a node goes down — for the monitor to find and
 * remediate. Which fault is a pure function of the lab's state, what vigil is busy with and a
 * random number, so it can be tested without timers; the driver (demo-chaos-driver.ts) adds the
 * clock.
 *
 * Faults are bounded: at most `maxOutstanding` of chaos's own faults are unresolved at once, at
 * most one node is down, and never the last online node. Chaos leaves alone what vigil could not
 * fix right now — a target whose runbook is cooling down, or with an incident still open — so
 * every fault it injects is one the monitor can act on, and a long demo never waits on a fault
 * nobody will fix.
 */
import type { LabState } from '../lab/index.js';

export const CHAOS_KINDS = ['crash_guest', 'fail_service', 'fill_disk', 'node_down'] as const;
export type ChaosKind = (typeof CHAOS_KINDS)[number];

export type ChaosAction =
  | { kind: 'crash_guest'; vmid: number; name: string; node: string }
  | { kind: 'fail_service'; node: string; unit: string }
  | { kind: 'fill_disk'; node: string; percent: number }
  | { kind: 'node_down'; node: string };

/** What chaos needs to know of the lab to choose. */
export interface ChaosView {
  nodes: ReadonlyArray<{
    name: string;
    online: boolean;
    diskPercent: number;
    services: ReadonlyArray<{ unit: string; state: string }>;
  }>;
  guests: ReadonlyArray<{ vmid: number; name: string; node: string; status: string; haManaged: boolean }>;
}

export interface ChaosPolicy {
  /** Faults of chaos's own still unresolved before it waits. Default 2. */
  maxOutstanding?: number;
  /** Disk level a fill brings a node to. Default 96. */
  fillPercent?: number;
  /** Relative weights per kind; a kind with weight 0 never happens. */
  weights?: Partial<Record<ChaosKind, number>>;
  /** Targets (see `chaosTarget`) not to break again yet, e.g. ones just broken. */
  avoid?: ReadonlySet<string>;
  /** Incident keys (see `incidentKeyOf`) the monitor would not act on now (see `busyKeys`). */
  busy?: ReadonlySet<string>;
}

/** The thing a fault hits, as a stable key: `guest:105`, `service:pve1/nginx.service`, `disk:pve1`, `node:pve1`. */
export function chaosTarget(action: ChaosAction): string {
  switch (action.kind) {
    case 'crash_guest':
      return `guest:${action.vmid}`;
    case 'fail_service':
      return `service:${action.node}/${action.unit}`;
    case 'fill_disk':
      return `disk:${action.node}`;
    case 'node_down':
      return `node:${action.node}`;
  }
}

/** The incident the monitor opens for a fault: `guest.crashed:105`, `disk.high:pve1`, ... */
export function incidentKeyOf(action: ChaosAction): string {
  switch (action.kind) {
    case 'crash_guest':
      return `guest.crashed:${action.vmid}`;
    case 'fail_service':
      return `service.failed:${action.node}/${action.unit}`;
    case 'fill_disk':
      return `disk.high:${action.node}`;
    case 'node_down':
      return `node.unreachable:${action.node}`;
  }
}

/**
 * Incident keys the monitor would not act on now: an incident is still active on the key
 * (open, remediating, escalated, waiting for approval), its runbook succeeded there within its
 * cooldown, or the key used up its attempts in the sliding window (a new fault would only be
 * escalated). A fault on such a key would only wait, so chaos avoids it.
 */
export function busyKeys(o: {
  active: readonly { key: string }[];
  /** Actions that count as attempts, succeeded or not. */
  attempts: readonly { incidentKey: string; runbook: string; result: string; startedAt: number }[];
  cooldownMs: (runbook: string) => number;
  limits: { maxAttempts: number; windowMs: number };
  now: number;
}): Set<string> {
  const busy = new Set(o.active.map((i) => i.key));
  const inWindow = new Map<string, number>();
  for (const a of o.attempts) {
    if (a.result === 'succeeded' && a.startedAt + o.cooldownMs(a.runbook) > o.now) busy.add(a.incidentKey);
    if (a.startedAt > o.now - o.limits.windowMs && a.startedAt <= o.now)
      inWindow.set(a.incidentKey, (inWindow.get(a.incidentKey) ?? 0) + 1);
  }
  for (const [key, n] of inWindow) if (n >= o.limits.maxAttempts) busy.add(key);
  return busy;
}

const DEFAULT_WEIGHTS: Record<ChaosKind, number> = { crash_guest: 4, fail_service: 3, fill_disk: 2, node_down: 1 };

/** Whether a fault chaos injected is still there. */
export function stillBroken(action: ChaosAction, view: ChaosView): boolean {
  switch (action.kind) {
    case 'crash_guest':
      return view.guests.find((g) => g.vmid === action.vmid)?.status !== 'running';
    case 'fail_service':
      return (
        view.nodes.find((n) => n.name === action.node)?.services.find((s) => s.unit === action.unit)?.state !== 'active'
      );
    case 'fill_disk':
      return (view.nodes.find((n) => n.name === action.node)?.diskPercent ?? 0) >= action.percent - 1;
    case 'node_down':
      return view.nodes.find((n) => n.name === action.node)?.online !== true;
  }
}

/**
 * The next fault, or null when chaos should wait (too many outstanding, or nothing left to break).
 * `random` returns numbers in [0, 1); it is called at most twice.
 */
export function pickChaos(
  view: ChaosView,
  outstanding: readonly ChaosAction[],
  random: () => number,
  policy: ChaosPolicy = {},
): ChaosAction | null {
  const open = outstanding.filter((a) => stillBroken(a, view));
  if (open.length >= (policy.maxOutstanding ?? 2)) return null;
  const online = view.nodes.filter((n) => n.online);
  // Faults only on nodes chaos has not already broken, so each incident is its own.
  const touched = new Set(open.map((a) => ('node' in a ? a.node : '')));
  const fresh = online.filter((n) => !touched.has(n.name));
  const percent = policy.fillPercent ?? 96;

  const candidates: Record<ChaosKind, ChaosAction[]> = {
    crash_guest: view.guests
      // HA-managed guests are restarted by the lab's HA manager on its own: nothing for vigil to do.
      .filter((g) => g.status === 'running' && !g.haManaged && fresh.some((n) => n.name === g.node))
      .map((g) => ({ kind: 'crash_guest', vmid: g.vmid, name: g.name, node: g.node })),
    fail_service: fresh.flatMap((n) =>
      n.services
        .filter((s) => s.state === 'active')
        .map((s) => ({ kind: 'fail_service' as const, node: n.name, unit: s.unit })),
    ),
    fill_disk: fresh.filter((n) => n.diskPercent < 80).map((n) => ({ kind: 'fill_disk', node: n.name, percent })),
    node_down:
      online.length > 1 && !open.some((a) => a.kind === 'node_down')
        ? fresh.map((n) => ({ kind: 'node_down', node: n.name }))
        : [],
  };
  const avoid = policy.avoid ?? new Set<string>();
  const busy = policy.busy ?? new Set<string>();
  for (const kind of CHAOS_KINDS)
    candidates[kind] = candidates[kind].filter((a) => !avoid.has(chaosTarget(a)) && !busy.has(incidentKeyOf(a)));
  const weights = { ...DEFAULT_WEIGHTS, ...policy.weights };
  const kinds = CHAOS_KINDS.filter((k) => candidates[k].length > 0 && weights[k] > 0);
  const total = kinds.reduce((s, k) => s + weights[k], 0);
  if (total === 0) return null;
  let r = random() * total;
  const kind = kinds.find((k) => (r -= weights[k]) < 0) ?? kinds[kinds.length - 1]!;
  const list = candidates[kind];
  return list[Math.min(list.length - 1, Math.floor(random() * list.length))]!;
}

/**
 * The lab as chaos sees it. With `watched` (node → units), only those units can be failed: a unit
 * vigil is not configured to watch would fail unnoticed, which demonstrates nothing.
 */
export function chaosView(state: LabState, watched?: ReadonlyMap<string, readonly string[]>): ChaosView {
  return {
    nodes: state.listNodes().map((n) => ({
      name: n.name,
      online: n.online,
      diskPercent: n.online ? state.usage(n.name).diskPercent : 0,
      services: state.listServices(n.name).filter((s) => !watched || (watched.get(n.name) ?? []).includes(s.unit)),
    })),
    guests: state
      .listGuests()
      .filter((g) => !g.template)
      .map((g) => ({ vmid: g.vmid, name: g.name, node: g.node, status: g.status, haManaged: g.ha.managed })),
  };
}

/** Applies one fault to the lab. */
export function applyChaos(state: LabState, action: ChaosAction): void {
  switch (action.kind) {
    case 'crash_guest':
      return state.crashGuest(action.vmid);
    case 'fail_service':
      return state.setServiceState(action.node, action.unit, 'failed');
    case 'fill_disk':
      return state.setUsage(action.node, { diskPercent: action.percent });
    case 'node_down':
      return state.setNodeOnline(action.node, false);
  }
}

/** Undoes one fault by hand, as an operator would: the guest started, the unit active, the disk cleaned, the node on. */
export function healChaos(state: LabState, action: ChaosAction): void {
  switch (action.kind) {
    case 'crash_guest':
      return state.setGuestStatus(action.vmid, 'running', 'root@pam');
    case 'fail_service':
      return state.setServiceState(action.node, action.unit, 'active');
    case 'fill_disk':
      return state.setUsage(action.node, { diskPercent: 40 });
    case 'node_down':
      return state.setNodeOnline(action.node, true);
  }
}

/** One line for people. */
export function describeChaos(action: ChaosAction): string {
  switch (action.kind) {
    case 'crash_guest':
      return `crashed guest ${action.vmid} (${action.name}) on ${action.node}`;
    case 'fail_service':
      return `failed ${action.unit} on ${action.node}`;
    case 'fill_disk':
      return `filled the disk of ${action.node} to ${action.percent}%`;
    case 'node_down':
      return `took node ${action.node} down`;
  }
}
