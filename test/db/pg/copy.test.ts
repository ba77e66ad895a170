// Pins the SQLite → PostgreSQL copy: every row keeps its id, the audit chain verifies on the copy and continues from SQLite's head, new ids follow the copied ones, and a non-empty target is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/database.js';
import { createStores } from '../../../src/db/stores.js';
import { createPgPool } from '../../../src/db/pg/pool.js';
import { createPgStores } from '../../../src/db/pg/stores.js';
import { copySqliteToPg } from '../../../src/db/pg/copy.js';
import { POSTGRES, startPostgres, type RunningPostgres } from '../../helpers/postgres.js';
import { entry, tempDbPath } from '../helpers.js';
import { incident, T } from '../ports-contract.js';

describe.skipIf(!POSTGRES)('copying an SQLite install to PostgreSQL', () => {
  let server: RunningPostgres;
  beforeAll(async () => {
    server = await startPostgres(POSTGRES!);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('copies the history so the chain verifies and continues, and ids follow the copied ones', async () => {
    const db = openDatabase(tempDbPath());
    const s = createStores(db);
    for (let i = 0; i < 40; i += 1) s.audit.append(entry(i, i === 7 ? { error: 'lone \ud800' } : {}));
    for (let i = 0; i < 5; i += 1)
      s.events.append({ type: 'tool.executed', severity: 'info', title: `e${i}`, message: '' }, T + i);
    const inc = s.monitor.openIncident(incident('vm101'), T);
    s.monitor.startAction({
      incidentId: inc.id,
      incidentKey: inc.key,
      runbook: 'restart',
      tool: 'start_guest',
      args: { vmid: 101 },
      node: 'pve1',
      result: 'running',
      detail: '',
      holder: 'd1',
      counts: true,
      startedAt: T,
      approvalId: null,
    });
    s.outbox.add([{ channel: 'email', kind: 'report', incidentKey: inc.key, payload: { subject: 's', body: 'b' } }], T);
    s.samples.record('pve1', 'disk.percent', 42.5, T);
    s.preferences.setAutonomyLevel(1, T);

    const pool = createPgPool(await server.createDatabase('copy_target'), 4);
    const report = await copySqliteToPg(db, pool);
    expect(report.verification).toEqual({ ok: true, rows: 40 });
    expect(report.tables).toMatchObject({
      audit: 40,
      events: 5,
      incidents: 1,
      autonomy_actions: 1,
      outbox: 1,
      samples: 1,
    });

    const p = createPgStores(pool);
    expect((await p.audit.list({ limit: 1000 })).map((r) => r.hash)).toEqual(
      s.audit.list({ limit: 1000 }).map((r) => r.hash),
    );
    expect(await p.audit.append(entry(99))).toBe(41);
    expect(await p.audit.verify()).toEqual({ ok: true, rows: 41 });
    expect(await p.events.since(0)).toEqual(s.events.since(0));
    expect((await p.events.append({ type: 'tool.executed', severity: 'info', title: 'next', message: '' }, T)).id).toBe(
      6,
    );
    expect(await p.monitor.runningActions()).toEqual(s.monitor.runningActions());
    expect((await p.monitor.openIncident(incident('vm102'), T)).id).toBe(inc.id + 1);
    expect(
      await p.outbox.add(
        [{ channel: 'email', kind: 'report', incidentKey: null, payload: { subject: 'n', body: '' } }],
        T,
      ),
    ).toEqual([2]);
    expect(await p.preferences.autonomyLevel()).toBe(1);
    expect(await p.samples.latest('pve1', 'disk.percent')).toEqual({ at: T, value: 42.5 });

    await expect(copySqliteToPg(db, pool)).rejects.toThrow(
      'the target database already holds 41 audit rows: copy into an empty database (create a new one for vigil)',
    );
    db.close();
    await p.close();
  });
});
