// Pins check_service and restart_service against the lab: only configured units, kill-switch re-check before the restart, clear failures.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkService, restartService } from '../../../src/mcp/tools/services.js';
import { startToolLab, type ToolLab } from './services-lab.js';

describe('service tools', () => {
  let t: ToolLab;
  beforeAll(async () => {
    t = await startToolLab();
  });
  afterAll(async () => t?.close());
  beforeEach(() => {
    t.killSwitch = false;
    t.lab.state.setServiceState('pve1', 'nginx.service', 'active');
  });

  it('checks one unit, or every configured unit', async () => {
    t.lab.state.setServiceState('pve1', 'nginx.service', 'failed');
    const one = await t.call(checkService, { node: 'pve1', service: 'nginx' });
    expect(one.text).toContain('nginx.service: failed (failed)');
    expect(one.data?.services).toMatchObject([{ unit: 'nginx.service', activeState: 'failed' }]);
    const all = await t.call(checkService, { node: 'pve1' });
    expect(all.text).toBe(
      'pve1\nnginx.service: failed (failed)\npveproxy.service: active (running)\nghost.service: not found on pve1',
    );
    expect(all.data?.services).toHaveLength(3);
  });

  it('refuses units that are not configured and unknown nodes', async () => {
    await expect(t.call(checkService, { node: 'pve1', service: 'sshd.service' })).rejects.toThrow(
      'failed to check sshd.service on pve1: not in nodes[pve1].services (configured: nginx.service, pveproxy.service, ghost.service)',
    );
    await expect(t.call(restartService, { node: 'pve1', service: 'cron.service' })).rejects.toThrow(
      /not in nodes\[pve1\]\.services/,
    );
    await expect(t.call(restartService, { node: 'pve9', service: 'nginx.service' })).rejects.toThrow(
      'unknown node "pve9"; configured nodes: pve1, pve2',
    );
  });

  it('restarts a failed unit after re-checking the kill switch', async () => {
    t.lab.state.setServiceState('pve1', 'nginx.service', 'failed');
    const before = t.mayActCalls;
    const out = await t.call(restartService, { node: 'pve1', service: 'nginx.service' });
    expect(out.text).toBe('restarted nginx.service on pve1: active (running)');
    expect(t.mayActCalls).toBe(before + 1);
    expect(t.lab.state.serviceState('pve1', 'nginx.service')).toBe('active');
  });

  it('does not restart when the kill switch was flipped after the gate', async () => {
    t.lab.state.setServiceState('pve1', 'nginx.service', 'failed');
    t.killSwitch = true;
    await expect(t.call(restartService, { node: 'pve1', service: 'nginx.service' })).rejects.toThrow(/kill switch/);
    expect(t.lab.state.serviceState('pve1', 'nginx.service')).toBe('failed');
  });

  it('says why a restart failed', async () => {
    await expect(t.call(restartService, { node: 'pve1', service: 'ghost.service' })).rejects.toThrow(
      'failed to restart ghost.service on pve1: Failed to restart ghost.service: Unit ghost.service not found. (exit 5)',
    );
    t.lab.state.setNodeOnline('pve2', false);
    try {
      await expect(t.call(restartService, { node: 'pve2', service: 'nginx.service' })).rejects.toThrow(
        /^failed to restart nginx\.service on pve2: .*pve2/,
      );
    } finally {
      t.lab.state.setNodeOnline('pve2', true);
    }
  });
});
