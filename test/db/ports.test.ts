// Pins the store ports: the same contract holds on SQLite (the wrapped synchronous stores) and on PostgreSQL.
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { createSqlitePorts } from '../../src/db/sqlite-ports.js';
import { openPgStores } from '../../src/db/pg/stores.js';
import type { StorePorts } from '../../src/db/ports.js';
import { POSTGRES, startPostgres, type RunningPostgres } from '../helpers/postgres.js';
import { tempDbPath } from './helpers.js';
import { storeContract } from './ports-contract.js';
import { monitorContract } from './ports-contract-monitor.js';

const opened: StorePorts[] = [];
afterEach(async () => {
  for (const p of opened.splice(0)) await p.close();
});

describe('SQLite adapter', () => {
  const open = async () => {
    const ports = createSqlitePorts(openDatabase(tempDbPath()));
    opened.push(ports);
    return ports;
  };
  storeContract(open);
  monitorContract(open);
});

describe.skipIf(!POSTGRES)('PostgreSQL adapter', () => {
  let server: RunningPostgres;
  let n = 0;
  beforeAll(async () => {
    server = await startPostgres(POSTGRES!);
  });
  afterAll(async () => {
    await server?.stop();
  });
  // A fresh database per test, as the SQLite side gets a fresh file.
  const open = async () => {
    n += 1;
    const ports = await openPgStores(await server.createDatabase(`contract_${n}`), { maxConnections: 4 });
    opened.push(ports);
    return ports;
  };
  storeContract(open);
  monitorContract(open);
});
