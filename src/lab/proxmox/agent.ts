/**
 * Guest agent and guest config routes of the simulator, after qemu-server's Agent.pm: the checks
 * run in the order `assert_agent_available` runs them (no agent configured, VM not running, agent
 * not answering), each a 500 with Proxmox's text. `GET …/config` returns `onboot` and `agent`
 * as Proxmox stores them.
 */
import { guestOn, need, proxied, vmidParam, type ApiContext } from './api-common.js';
import { ApiError, path, type ApiRequest, type Route } from './http.js';
import type { LabGuest } from './world.js';

const GiB = 1024 ** 3;

function agentGuest(r: ApiRequest, ctx: ApiContext): LabGuest {
  const vmid = vmidParam(r.params.vmid!);
  need(ctx, `/vms/${vmid}`, 'VM.GuestAgent.Audit');
  proxied(ctx, r.params.node!);
  const g = guestOn(ctx, r.params.node!, 'qemu', vmid);
  if (!g.agent) throw new ApiError(500, 'No QEMU guest agent configured');
  if (g.status !== 'running') throw new ApiError(500, `VM ${vmid} is not running`);
  if (g.agentHang) throw new ApiError(500, 'QEMU guest agent is not running');
  return g;
}

const RESULTS: Record<string, (g: LabGuest) => unknown> = {
  'get-osinfo': () => ({
    id: 'debian',
    name: 'Debian GNU/Linux',
    'pretty-name': 'Debian GNU/Linux 12 (bookworm)',
    version: '12 (bookworm)',
    'version-id': '12',
    'kernel-release': '6.1.0-28-amd64',
    'kernel-version': '#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)',
    machine: 'x86_64',
  }),
  'get-fsinfo': (g) => [
    {
      name: 'sda1',
      mountpoint: '/',
      type: 'ext4',
      'used-bytes': Math.round(g.maxdisk * 0.35),
      'total-bytes': g.maxdisk - GiB / 2,
      disk: [{ 'bus-type': 'scsi', bus: 0, target: 0, unit: 0, dev: '/dev/sda1', serial: `drive-scsi0` }],
    },
    {
      name: 'sda15',
      mountpoint: '/boot/efi',
      type: 'vfat',
      'used-bytes': 6_291_456,
      'total-bytes': 129_718_272,
      disk: [{ 'bus-type': 'scsi', bus: 0, target: 0, unit: 0, dev: '/dev/sda15', serial: `drive-scsi0` }],
    },
  ],
  // Addresses from TEST-NET-1 (RFC 5737): data only, the lab never sends packets to them.
  'network-get-interfaces': (g) => [
    {
      name: 'lo',
      'hardware-address': '00:00:00:00:00:00',
      'ip-addresses': [{ 'ip-address-type': 'ipv4', 'ip-address': '127.0.0.1', prefix: 8 }],
    },
    {
      name: 'eth0',
      'hardware-address': `bc:24:11:00:${(g.vmid >> 8).toString(16).padStart(2, '0')}:${(g.vmid & 255).toString(16).padStart(2, '0')}`,
      'ip-addresses': [{ 'ip-address-type': 'ipv4', 'ip-address': `192.0.2.${g.vmid % 250}`, prefix: 24 }],
    },
  ],
};

/** GET …/config: what the guest's config file holds (`onboot` and `agent` absent when unset). */
function guestConfig(g: LabGuest): Record<string, unknown> {
  const common = {
    digest: `${g.vmid.toString(16).padStart(8, '0')}${'0'.repeat(32)}`,
    memory: String(Math.round(g.maxmem / 1024 ** 2)),
    ...(g.onboot ? { onboot: 1 } : {}),
    ...(g.lock ? { lock: g.lock } : {}),
    ...(g.tags ? { tags: g.tags } : {}),
    ...(g.parent ? { parent: g.parent } : {}),
  };
  if (g.type === 'lxc')
    return {
      ...common,
      hostname: g.name,
      cores: g.cpus,
      ostype: 'debian',
      rootfs: `local-lvm:subvol-${g.vmid}-disk-0`,
    };
  return {
    ...common,
    name: g.name,
    cores: g.cpus,
    ostype: 'l26',
    scsi0: `local-lvm:vm-${g.vmid}-disk-0,size=${Math.round(g.maxdisk / GiB)}G`,
    ...(g.agent ? { agent: '1' } : {}),
  };
}

/** The agent and config routes. */
export const agentRoutes: Route<ApiContext>[] = [
  {
    method: 'POST',
    pattern: path('/nodes/:node/qemu/:vmid/agent/ping'),
    handler: (r, ctx) => {
      agentGuest(r, ctx);
      return { data: { result: {} } };
    },
  },
  {
    method: 'GET',
    pattern: path('/nodes/:node/qemu/:vmid/agent/(?<cmd>get-osinfo|get-fsinfo|network-get-interfaces)'),
    handler: (r, ctx) => ({ data: { result: RESULTS[r.params.cmd!]!(agentGuest(r, ctx)) } }),
  },
  {
    method: 'GET',
    pattern: path('/nodes/:node/(?<type>qemu|lxc)/:vmid/config'),
    handler: (r, ctx) => {
      const vmid = vmidParam(r.params.vmid!);
      need(ctx, `/vms/${vmid}`, 'VM.Audit');
      proxied(ctx, r.params.node!);
      return { data: guestConfig(guestOn(ctx, r.params.node!, r.params.type as 'qemu' | 'lxc', vmid)) };
    },
  },
];
