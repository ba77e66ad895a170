// Pins the notify-only Proxmox detections as properties: storage.high exactly at or above the threshold (shared storages once, root-filesystem pools left to disk.high), ha.error only for the CRM state error, backup.failed for a failed newest run, backup.missing only for required guests without an archive young enough.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectPveRoutine } from '../../src/monitor/detect-pve.js';

const base = {
  storagePercent: 90,
  backupRequired: [101],
  backupMaxAgeDays: 2,
  now: 10_000_000_000,
  downNodes: new Set<string>(),
};

describe('detectPveRoutine', () => {
  it('storage.high at or above the threshold, one incident per shared storage', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, noNaN: true }), fc.boolean(), (used, shared) => {
        const storage = ['pve1', 'pve2'].map((node) => ({
          node,
          storage: 'nfs',
          status: 'available',
          shared,
          usedPercent: used,
        }));
        const r = detectPveRoutine({ storage }, { ...base, openKeys: new Set() });
        expect(r.findings.length).toBe(used >= 90 ? (shared ? 1 : 2) : 0);
      }),
    );
  });

  it('a pool on the root filesystem is left to disk.high: never storage.high, and an open one resolves', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, noNaN: true }), (used) => {
        const storage = [
          { node: 'pve1', storage: 'local', status: 'available', shared: false, usedPercent: used, onRootFs: true },
        ];
        const r = detectPveRoutine({ storage }, { ...base, openKeys: new Set(['storage.high:pve1/local']) });
        expect(r.findings).toEqual([]);
        expect(r.healthy.has('storage.high:pve1/local')).toBe(true);
      }),
    );
  });

  it('ha.error only for the CRM state error; healthy otherwise', () => {
    const states = ['started', 'stopped', 'request_start', 'migrate', 'fence', 'recovery', 'freeze', 'error'];
    fc.assert(
      fc.property(fc.constantFrom(...states), (crmState) => {
        const r = detectPveRoutine(
          { ha: [{ sid: 'vm:100', vmid: 100, node: 'pve1', crmState }] },
          { ...base, openKeys: new Set(['ha.error:100']) },
        );
        expect(r.findings.map((f) => f.condition)).toEqual(crmState === 'error' ? ['ha.error'] : []);
        expect(r.healthy.has('ha.error:100')).toBe(crmState !== 'error');
      }),
    );
  });

  it('backup.missing only for required guests whose newest archive is older than maxAgeDays', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(100, 101),
        fc.option(fc.integer({ min: 0, max: 10 * 86_400 }), { nil: undefined }),
        fc.boolean(),
        (vmid, age, ok) => {
          const lastCtime = age === undefined ? undefined : base.now / 1000 - age;
          const lastRun = { ok, exitstatus: ok ? 'OK' : 'job errors', starttime: 0, upid: 'UPID:x' };
          const r = detectPveRoutine(
            { backups: [{ vmid, node: 'pve1', ...(lastCtime !== undefined ? { lastCtime } : {}), lastRun }] },
            { ...base, openKeys: new Set() },
          );
          const conds = r.findings.map((f) => f.condition);
          expect(conds.includes('backup.failed')).toBe(!ok);
          expect(conds.includes('backup.missing')).toBe(vmid === 101 && (age === undefined || age > 2 * 86_400));
        },
      ),
    );
  });
});
