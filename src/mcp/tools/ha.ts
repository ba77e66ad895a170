/** Proxmox HA: green `get_ha_status` (quorum, CRM master, each node's LRM, each HA-managed guest's state). */
import { z } from 'zod';
import { defineTool } from '../tool.js';
import { proxmoxOf, reading } from './cluster.js';

export const getHaStatus = defineTool({
  name: 'get_ha_status',
  title: 'HA status',
  description:
    "The HA manager's view: quorum, the CRM master, each node's LRM, and each HA-managed guest's state (started, stopped, error, ...). A resource in error needs an operator: disable it, fix the cause, enable it.",
  tier: 'green',
  kind: 'infra',
  input: z.object({}),
  output: z.object({
    quorate: z.boolean().optional(),
    master: z.object({ node: z.string().optional(), status: z.string().optional() }).optional(),
    lrms: z.array(z.object({ node: z.string(), status: z.string().optional() })),
    services: z.array(
      z.object({
        sid: z.string().describe('vm:100 or ct:101'),
        vmid: z.number(),
        node: z.string().optional(),
        crmState: z.string().optional().describe('started, stopped, request_start, migrate, error, ...'),
        state: z.string().optional(),
        requestState: z.string().optional().describe('what the resource is asked to be: started or stopped'),
        status: z.string().optional(),
      }),
    ),
  }),
  target: () => ({}),
  plan: () => 'read the HA status',
  async handler(_args, ctx) {
    const px = proxmoxOf(ctx);
    const st = await reading('read the HA status', () => px.haStatus(ctx.signal));
    const clean = <T extends object>(o: T) =>
      Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
    const services = st.services.map(clean);
    const lines = [
      `quorum: ${st.quorate === undefined ? 'unknown' : st.quorate ? 'OK' : 'NOT quorate'}; master: ${st.master?.status ?? 'none'}`,
      ...st.lrms.map((l) => `lrm ${l.status ?? l.node}`),
      ...services.map(
        (s) =>
          `${s.sid} on ${s.node ?? '?'}: ${s.state ?? s.crmState ?? '?'}${s.crmState === 'error' ? ' — needs an operator' : ''}`,
      ),
    ];
    return {
      text: services.length ? lines.join('\n') : `${lines.join('\n')}\nno HA-managed guests`,
      data: clean({ quorate: st.quorate, master: st.master && clean(st.master), lrms: st.lrms.map(clean), services }),
    };
  },
});

export const haTools = [getHaStatus];
