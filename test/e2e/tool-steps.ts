/**
 * E2E helper: one successful call of every tool against the fast lab, in an order its state allows;
 * shared by the tests that check results against output schemas (executeTool and MCP clients).
 */

type Data = Record<string, unknown>;

/** One call: `args` may read the data of an earlier step by its label (and the "pending approval" one). */
export interface ToolStep {
  label: string;
  tool: string;
  args: (seen: Map<string, Data>) => Record<string, unknown>;
}

/**
 * One successful call per step, in an order the lab's state allows (the lab: 100 VM and 101 CT on
 * pve1; 102 VM and 103 CT on pve2). `args` may read the data of an earlier step by its label.
 */
export const toolSteps: ToolStep[] = [
  { label: 'get_cluster_status', tool: 'get_cluster_status', args: () => ({}) },
  { label: 'list_nodes', tool: 'list_nodes', args: () => ({}) },
  { label: 'get_node_status', tool: 'get_node_status', args: () => ({ node: 'pve1' }) },
  { label: 'list_storage', tool: 'list_storage', args: () => ({ node: 'pve1' }) },
  { label: 'list_guests', tool: 'list_guests', args: () => ({}) },
  { label: 'get_guest_status', tool: 'get_guest_status', args: () => ({ node: 'pve2', vmid: 103 }) },
  { label: 'create_snapshot', tool: 'create_snapshot', args: () => ({ node: 'pve1', vmid: 100, name: 'outputs' }) },
  { label: 'list_snapshots', tool: 'list_snapshots', args: () => ({ node: 'pve1', vmid: 100 }) },
  {
    label: 'rollback_snapshot',
    tool: 'rollback_snapshot',
    args: () => ({ node: 'pve1', vmid: 100, name: 'outputs', start: true }),
  },
  { label: 'delete_snapshot', tool: 'delete_snapshot', args: () => ({ node: 'pve1', vmid: 100, name: 'outputs' }) },
  { label: 'run_backup', tool: 'run_backup', args: () => ({ node: 'pve1', vmid: 101 }) },
  { label: 'list_backups', tool: 'list_backups', args: () => ({ node: 'pve1' }) },
  { label: 'get_backup_jobs', tool: 'get_backup_jobs', args: () => ({}) },
  { label: 'guest_agent_info', tool: 'guest_agent_info', args: () => ({ node: 'pve1', vmid: 100 }) },
  { label: 'reset_guest', tool: 'reset_guest', args: () => ({ node: 'pve1', vmid: 100 }) },
  { label: 'get_ha_status', tool: 'get_ha_status', args: () => ({}) },
  { label: 'migrate_check', tool: 'migrate_check', args: () => ({ node: 'pve1', vmid: 100, target: 'pve2' }) },
  {
    label: 'read_journal',
    tool: 'read_journal',
    args: () => ({ node: 'pve1', unit: 'nginx', lines: 10, since_minutes: 60 }),
  },
  { label: 'start_guest (already running)', tool: 'start_guest', args: () => ({ node: 'pve1', vmid: 100 }) },
  { label: 'stop_guest', tool: 'stop_guest', args: () => ({ node: 'pve1', vmid: 101 }) },
  { label: 'start_guest', tool: 'start_guest', args: () => ({ node: 'pve1', vmid: 101 }) },
  { label: 'resume_guest', tool: 'resume_guest', args: () => ({ node: 'pve1', vmid: 100 }) },
  { label: 'reboot_guest', tool: 'reboot_guest', args: () => ({ node: 'pve1', vmid: 101 }) },
  { label: 'shutdown_guest', tool: 'shutdown_guest', args: () => ({ node: 'pve1', vmid: 100, timeout_seconds: 30 }) },
  { label: 'list_tasks', tool: 'list_tasks', args: () => ({ node: 'pve1' }) },
  { label: 'check_service', tool: 'check_service', args: () => ({ node: 'pve1' }) },
  { label: 'restart_service', tool: 'restart_service', args: () => ({ node: 'pve1', service: 'nginx.service' }) },
  ...(['uptime', 'disk', 'memory', 'top_processes'] as const).map((diagnostic) => ({
    label: `run_diagnostic ${diagnostic}`,
    tool: 'run_diagnostic',
    args: () => ({ node: 'pve1', diagnostic }),
  })),
  { label: 'run_command', tool: 'run_command', args: () => ({ node: 'pve1', command: 'echo hello' }) },
  { label: 'cleanup_disk dry run', tool: 'cleanup_disk', args: () => ({ node: 'pve1', dryRun: true }) },
  { label: 'cleanup_disk', tool: 'cleanup_disk', args: () => ({ node: 'pve1' }) },
  { label: 'forecast_disk', tool: 'forecast_disk', args: () => ({ node: 'pve1' }) },
  { label: 'check_http', tool: 'check_http', args: () => ({}) },
  { label: 'get_audit_log', tool: 'get_audit_log', args: () => ({ limit: 50 }) },
  { label: 'get_events', tool: 'get_events', args: () => ({}) },
  { label: 'get_monitor_status', tool: 'get_monitor_status', args: () => ({}) },
  { label: 'get_incidents', tool: 'get_incidents', args: () => ({}) },
  { label: 'get_autonomy_actions', tool: 'get_autonomy_actions', args: () => ({}) },
  { label: 'silence', tool: 'silence', args: () => ({ target: 'pve1', minutes: 5, reason: 'maintenance' }) },
  { label: 'end_silence', tool: 'end_silence', args: (seen) => ({ id: seen.get('silence')?.id }) },
  {
    label: 'set_kill_switch on',
    tool: 'set_kill_switch',
    args: () => ({ active: true, scope: 'autonomy', reason: 'test' }),
  },
  { label: 'set_kill_switch off', tool: 'set_kill_switch', args: () => ({ active: false }) },
  { label: 'set_autonomy_level', tool: 'set_autonomy_level', args: () => ({ level: 2, reason: 'test' }) },
  {
    label: 'approve_action',
    tool: 'approve_action',
    args: (seen) => ({ id: seen.get('pending approval')?.approvalId, verdict: 'approve' }),
  },
  // Moves CT 103 (HA-managed) from pve2 to pve1: after every step that expects it on pve2.
  { label: 'migrate_guest', tool: 'migrate_guest', args: () => ({ node: 'pve2', vmid: 103, target: 'pve1' }) },
  // pve1, not pve2: a rebooting node is offline for a moment, and pve2 is shut down next.
  { label: 'reboot_node', tool: 'reboot_node', args: () => ({ node: 'pve1' }) },
  { label: 'shutdown_node', tool: 'shutdown_node', args: () => ({ node: 'pve2' }) },
  { label: 'wake_node', tool: 'wake_node', args: () => ({ node: 'pve2' }) },
];
