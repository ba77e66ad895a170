/**
 * The guest knobs the control API turns: a guest agent that hangs, guest config (`onboot`,
 * `agent`, `tags`), HA state (including `error`), backups made to fail, and storage usage of the
 * thin pool. The API simulator's snapshot, backup and migration tasks change the world through
 * the same core.
 */
import type { LabBackup, LabGuest } from './proxmox/world.js';
import type { LabCore } from './state-core.js';

/** HA service states (pve-ha-manager `crm_state`). */
export const HA_STATES = [
  'stopped',
  'request_stop',
  'request_start',
  'request_start_balance',
  'started',
  'fence',
  'recovery',
  'migrate',
  'relocate',
  'freeze',
  'error',
] as const;

/** Guest config the control API may change. */
export interface GuestConfigPatch {
  onboot?: boolean;
  agent?: boolean;
  tags?: string | null;
}

/** The guest-feature operations of a world. */
export function createGuestOps(core: LabCore) {
  const { tick, emit } = core;

  return {
    /**
     * The guest agent stops answering. `sticky` survives a QEMU reset (only a stop and start clears
     * it); otherwise a reset brings it back. Only QEMU guests with an agent configured can hang.
     */
    hangAgent(vmid: number, sticky = false): void {
      tick();
      const g = core.guest(vmid);
      if (g.type !== 'qemu' || !g.agent) throw new Error(`guest ${vmid} has no QEMU guest agent configured`);
      g.agentHang = sticky ? 'sticky' : 'reset';
      emit({ kind: 'agent', vmid, hung: true });
    },
    /** The guest agent answers again. */
    unhangAgent(vmid: number): void {
      tick();
      const g = core.guest(vmid);
      if (!g.agentHang) return;
      g.agentHang = undefined;
      emit({ kind: 'agent', vmid, hung: false });
    },
    /** Changes `onboot`, `agent` or `tags` of a guest's config. */
    setGuestConfig(vmid: number, patch: GuestConfigPatch): LabGuest {
      tick();
      const g = core.guest(vmid);
      if (patch.onboot !== undefined) g.onboot = patch.onboot;
      if (patch.agent !== undefined) {
        if (patch.agent && g.type !== 'qemu') throw new Error(`CT ${vmid}: containers have no guest agent`);
        g.agent = patch.agent;
        if (!g.agent) g.agentHang = undefined;
      }
      if (patch.tags !== undefined) g.tags = patch.tags ? patch.tags : undefined;
      return g;
    },
    /** Makes a guest HA-managed with this service state, or unmanaged (`null`). */
    setHaState(vmid: number, state: (typeof HA_STATES)[number] | null): void {
      tick();
      const g = core.guest(vmid);
      g.ha = state === null ? { managed: false } : { managed: true, state };
      emit({ kind: 'ha', vmid, state });
    },
    /** Every later vzdump of this guest fails with `error` (`null` lets them succeed again). */
    setBackupError(vmid: number, error: string | null): void {
      core.guest(vmid).backupError = error ? error : undefined;
    },
    /** Puts an archive on a node's `local` storage, e.g. an old one for "no recent backup" scenarios. */
    addBackup(node: string, b: LabBackup): void {
      const n = core.node(node);
      n.backups = n.backups.filter((x) => x.volid !== b.volid).concat({ ...b });
    },
    /** Sets the used share of a node's `local-lvm` thin pool (`null`: computed from its guests again). */
    setThinUsage(node: string, percent: number | null): void {
      core.node(node).thinUsedPercent = percent === null ? undefined : percent;
    },
  };
}
