// Pins the HA lines of `vigil status`: the engine, the leader with its epoch and since, each standby's last heartbeat, stale beats and a missing leader called out, old stopped daemons left out.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ago, haStatusLines, STOPPED_SHOWN_MS } from '../../src/commands/status-ha.js';
import type { DaemonBeat } from '../../src/db/pg/leader.js';

const NOW = Date.parse('2026-11-30T23:00:00.000Z');
const beat = (over: Partial<DaemonBeat>): DaemonBeat => ({
  daemonId: 'd',
  role: 'standby',
  host: 'pve1',
  pid: 100,
  epoch: null,
  since: NOW - 60_000,
  lastBeat: NOW - 1000,
  ...over,
});

describe('vigil status: high availability', () => {
  it('says SQLite has no standby', () => {
    expect(haStatusLines({ engine: 'sqlite', daemons: [], now: NOW, staleAfterMs: 2000 })).toEqual([
      'database: sqlite (one daemon, no standby)',
    ]);
  });

  it('lists the leader first with its epoch and since, then the standby with its last heartbeat', () => {
    const lines = haStatusLines({
      engine: 'postgres',
      now: NOW,
      staleAfterMs: 2000,
      daemons: [
        beat({ daemonId: 'b', host: 'pve2', pid: 222, lastBeat: NOW - 800 }),
        beat({ daemonId: 'a', role: 'leader', host: 'pve1', pid: 111, epoch: 4, since: NOW - 5000 }),
      ],
    });
    expect(lines).toEqual([
      'database: postgres, shared by 2 daemons',
      '  leader   pve1 pid 111 since 2026-11-30T22:59:55.000Z (epoch 4), last heartbeat 1 s ago',
      '  standby  pve2 pid 222 since 2026-11-30T22:59:00.000Z, last heartbeat 1 s ago',
    ]);
  });

  it('calls out a leader whose heartbeat stopped, and that nobody leads then', () => {
    const lines = haStatusLines({
      engine: 'postgres',
      now: NOW,
      staleAfterMs: 2000,
      daemons: [beat({ role: 'leader', epoch: 2, lastBeat: NOW - 45_000 }), beat({ pid: 7 })],
    });
    expect(lines[1]).toBe('  no daemon leads: nothing acts on incidents until one takes the lock');
    expect(lines[2]).toMatch(/leader .* last heartbeat 45 s ago — not beating/);
  });

  it('shows a daemon stopped within the hour and leaves older ones out', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 * STOPPED_SHOWN_MS }), (age) => {
        const lines = haStatusLines({
          engine: 'postgres',
          now: NOW,
          staleAfterMs: 2000,
          daemons: [beat({ role: 'leader', epoch: 1 }), beat({ role: 'stopped', pid: 9, since: NOW - age })],
        });
        expect(lines.some((l) => l.startsWith('  stopped  pve1 pid 9'))).toBe(age <= STOPPED_SHOWN_MS);
      }),
    );
  });

  it('writes ages in seconds, minutes or hours', () => {
    expect([ago(400), ago(119_000), ago(600_000), ago(5 * 3600_000)]).toEqual([
      '0 s ago',
      '119 s ago',
      '10 min ago',
      '5 h ago',
    ]);
  });
});
