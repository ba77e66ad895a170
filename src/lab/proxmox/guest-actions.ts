/**
 * Power actions of the simulator, following qemu-server and pve-container: pre-fork checks fail
 * synchronously (HTTP 500 "VM 100 already running"), lock checks run inside the task (the task
 * ends with exitstatus "VM is locked (backup)"), and HA-managed guests get `hastart`/`hastop`
 * tasks that finish quickly while the HA manager changes the guest a little later.
 */
import type { LabState } from '../state.js';
import { ApiError } from './http.js';
import type { LabGuest } from './world.js';

export const GUEST_ACTIONS = ['start', 'stop', 'shutdown', 'reboot', 'reset', 'suspend', 'resume'] as const;
export type GuestAction = (typeof GUEST_ACTIONS)[number];

// LXC has no reset: the route answers 501, as pve-container has no such method.
const TASK_TYPES: Record<'qemu' | 'lxc', Partial<Record<GuestAction, string>>> = {
  qemu: {
    start: 'qmstart',
    stop: 'qmstop',
    shutdown: 'qmshutdown',
    reboot: 'qmreboot',
    reset: 'qmreset',
    suspend: 'qmpause',
    resume: 'qmresume',
  },
  lxc: {
    start: 'vzstart',
    stop: 'vzstop',
    shutdown: 'vzshutdown',
    reboot: 'vzreboot',
    suspend: 'vzsuspend',
    resume: 'vzresume',
  },
};

/** `AbstractConfig::check_lock`; the `suspended` lock does not block a start or resume (resume from hibernation). */
function checkLock(g: LabGuest, action: GuestAction, skiplock: boolean): void {
  if (!g.lock || skiplock) return;
  if (g.lock === 'suspended' && (action === 'start' || action === 'resume')) return;
  throw new Error(`${g.type === 'qemu' ? 'VM' : 'CT'} is locked (${g.lock})`);
}

/** What the action does to the guest once the task gets to it. */
function apply(state: LabState, g: LabGuest, action: GuestAction): void {
  switch (action) {
    case 'start':
      state.setGuestStatus(g.vmid, 'running', 'api');
      if (g.lock === 'suspended') g.lock = undefined;
      return;
    case 'stop':
    case 'shutdown':
      state.setGuestStatus(g.vmid, 'stopped', 'api');
      return;
    case 'reboot':
      g.startedAt = state.now();
      g.paused = false;
      if (g.agentHang === 'reset') state.unhangAgent(g.vmid);
      return;
    case 'reset':
      // QMP system_reset: the guest OS restarts, and with it an agent that merely hung.
      g.startedAt = state.now();
      g.paused = false;
      if (g.agentHang === 'reset') state.unhangAgent(g.vmid);
      return;
    case 'suspend':
      g.paused = true;
      return;
    case 'resume':
      g.paused = false;
      return;
  }
}

/**
 * Starts one power action and returns its UPID. `user` is the token id as it appears in UPIDs
 * (`root@pam!vigil`). Throws ApiError 500 for the synchronous pre-fork checks.
 */
export function startGuestAction(
  state: LabState,
  g: LabGuest,
  action: GuestAction,
  args: Record<string, string>,
  user: string,
): string {
  const type = TASK_TYPES[g.type][action];
  if (!type)
    throw new ApiError(501, `Method 'POST /nodes/${g.node}/${g.type}/${g.vmid}/status/${action}' not implemented`);
  const label = `${g.type === 'qemu' ? 'VM' : 'CT'} ${g.vmid}`;
  const running = g.status === 'running';
  if (action === 'start' && running) throw new ApiError(500, `${label} already running`);
  if (action !== 'start' && !running) throw new ApiError(500, `${label} not running`);
  if (action === 'shutdown' && g.type === 'qemu' && g.paused && args.forceStop !== '1') {
    throw new ApiError(500, 'VM is paused - cannot shutdown');
  }
  const skiplock = args.skiplock === '1' && user === 'root@pam';
  if (g.ha.managed && (action === 'start' || action === 'stop' || action === 'shutdown')) {
    return haAction(state, g, action === 'start' ? 'start' : 'stop', user);
  }
  const task = state.tasks.run({
    node: g.node,
    type,
    id: String(g.vmid),
    user,
    durationMs: state.taskMs,
    work: () => {
      checkLock(g, action, skiplock);
      apply(state, g, action);
      return 'OK';
    },
  });
  return task.upid;
}

/**
 * `ha-manager set vm:ID --state started` / `crm-command stop`: the task only files the request
 * and ends OK; the HA manager acts haDelayMs later (a locked guest ends in HA state `error`).
 */
function haAction(state: LabState, g: LabGuest, want: 'start' | 'stop', user: string): string {
  const task = state.tasks.run({
    node: g.node,
    type: want === 'start' ? 'hastart' : 'hastop',
    id: String(g.vmid),
    user,
    durationMs: Math.round(state.taskMs / 3),
    work: () => {
      if (g.ha.state === 'error')
        throw new Error(
          `service '${g.type === 'qemu' ? 'vm' : 'ct'}:${g.vmid}' in error state, must be disabled and fixed first`,
        );
      g.ha.state = want === 'start' ? 'request_start' : 'request_stop';
      state.schedule(state.haDelayMs, () => {
        if (!state.getNode(g.node)?.online) return;
        if (g.lock) {
          g.ha.state = 'error';
          return;
        }
        state.setGuestStatus(g.vmid, want === 'start' ? 'running' : 'stopped', 'ha');
        g.ha.state = want === 'start' ? 'started' : 'stopped';
      });
      return 'OK';
    },
  });
  return task.upid;
}
