/** What the guest tools (guests.ts) return: a guest's status, and the result of a power action. */
import { z } from 'zod';

const guestType = z.enum(['qemu', 'lxc']).describe('qemu: a virtual machine; lxc: a container');

export const guestStatusOutput = z.object({
  type: guestType,
  node: z.string(),
  vmid: z.number().int(),
  name: z.string().optional(),
  status: z.string().describe('running, stopped or unknown'),
  qmpstatus: z.string().optional().describe("QEMU's own status (running, paused, ...); absent for containers"),
  paused: z.boolean().describe('running but paused (VM) or frozen (container)'),
  lock: z
    .string()
    .optional()
    .describe('why Proxmox holds the guest (backup, migrate, ...); power actions fail meanwhile'),
  tags: z.array(z.string()).optional(),
  template: z.boolean(),
  pid: z.number().int().optional().describe('host process id while running'),
  uptime: z.number().optional().describe('seconds since start'),
  cpu: z.number().optional().describe('CPU use as a fraction of its CPUs (0.25 = 25%)'),
  cpus: z.number().optional().describe('virtual CPUs'),
  mem: z.number().optional().describe('memory used, bytes'),
  maxmem: z.number().optional().describe('memory size, bytes'),
  disk: z.number().optional().describe('disk used, bytes'),
  maxdisk: z.number().optional().describe('disk size, bytes'),
  ha: z.object({
    managed: z.boolean().describe('the HA manager owns its power state'),
    state: z.string().optional().describe('HA state: started, stopped, error, ...'),
  }),
});

/** What every power action reports; `changed: false` when the guest already was where asked. */
export const powerOutput = z.object({
  node: z.string(),
  vmid: z.number().int(),
  type: guestType,
  name: z.string().optional(),
  changed: z.boolean().describe('false: nothing to do, the guest already was in the wanted state'),
  status: z.string().optional().describe('the guest state afterwards (running, stopped) where the action implies one'),
  upid: z.string().optional().describe('the Proxmox task that did it (list_tasks shows it)'),
  exitstatus: z.string().optional().describe("the task's exit status, OK on success"),
  haManaged: z.boolean().optional().describe('the HA manager carried the action out'),
});
export type PowerData = z.infer<typeof powerOutput>;
