// Pins how `vigil status` describes the daemon's monitor from the shared database: "running (in another process: …)" or "not running (…)", never a doubled "running (running …)".
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { createSqlitePorts } from '../../src/db/sqlite-ports.js';
import { observedMonitorStatus } from '../../src/monitor/status.js';
import { openTracked, tempDbPath } from '../db/helpers.js';
import { writeTestConfig } from '../helpers/vigil.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-status-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOW = 1_700_000_000_000;

describe('observedMonitorStatus', () => {
  const config = loadConfig(writeTestConfig(dir).configFile, {});
  const file = tempDbPath();
  // One file, reopened per test (the helper closes each handle after its test).
  const storeOf = () => createSqlitePorts(openTracked(file)).monitor;
  const line = async (store = storeOf()) => {
    const s = observedMonitorStatus({ store, config, now: () => NOW });
    return `monitor: ${(await s).running ? 'running' : 'not running'} (${(await s).detail})`;
  };

  it('says when no monitor ever ran, and how to start one', async () => {
    expect(await line()).toBe('monitor: not running (no monitor cycle recorded yet; start it with "vigil serve")');
  });

  it('running in another process, once: the holder, how long ago, the incident count', async () => {
    const store = storeOf();
    await store.recordRun({
      kind: 'critical',
      holder: 'host:42:abcd',
      startedAt: NOW - 3000,
      finishedAt: NOW - 2900,
      durationMs: 100,
      error: null,
      summary: null,
    });
    expect(await line(store)).toBe(
      'monitor: running (in another process: last critical cycle 3 s ago by host:42:abcd; 0 active incident(s), dry run off)',
    );
    expect(await line(store)).not.toMatch(/\b([a-z]+) \(?\1\b/i);
  });

  it('not running once its last cycle is older than two intervals', async () => {
    const s = observedMonitorStatus({ store: storeOf(), config, now: () => NOW + 3_600_000 });
    expect((await s).running).toBe(false);
    expect((await s).detail).toBe('last critical cycle 3603 s ago; start it with "vigil serve"');
  });
});
