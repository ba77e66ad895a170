// Pins that SQLite statements bind LIMIT through boundLimit(): a bare `LIMIT ?` makes SQLite re-prepare the statement at every binding.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { boundLimit } from '../../src/db/database.js';

const DB_DIR = join(import.meta.dirname, '..', '..', 'src', 'db');

describe('bound LIMIT in SQLite statements', () => {
  it('no SQLite store writes a bare LIMIT parameter', () => {
    const bare = readdirSync(DB_DIR)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) =>
        readFileSync(join(DB_DIR, f), 'utf8')
          .split('\n')
          .map((line, i) => ({ where: `src/db/${f}:${i + 1}`, line }))
          .filter(({ line }) => /LIMIT\s+[?@:$]/.test(line) && !line.trimStart().startsWith('*')),
      );
    expect(bare).toEqual([]);
  });

  it('limits the rows as a bare parameter would, positional and named', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    const insert = db.prepare('INSERT INTO t (id) VALUES (?)');
    for (let id = 1; id <= 10; id += 1) insert.run(id);
    const positional = db.prepare(`SELECT id FROM t ORDER BY id DESC ${boundLimit()}`).pluck();
    expect(positional.all(3)).toEqual([10, 9, 8]);
    expect(positional.all(1)).toEqual([10]);
    const named = db.prepare(`SELECT id FROM t ORDER BY id ${boundLimit('@limit')}`).pluck();
    expect(named.all({ limit: 2 })).toEqual([1, 2]);
    db.close();
  });
});
