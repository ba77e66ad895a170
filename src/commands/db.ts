/**
 * `vigil db migrate --to postgres://…`: moves an existing SQLite install (the config's
 * database.path) into an empty PostgreSQL database with copySqliteToPg, then verifies the audit
 * chain on the target. The URL's password never reaches the terminal or a log: every message
 * names the target with the password replaced, and any text from the driver is scrubbed of it.
 */
import { existsSync } from 'node:fs';
import { openDatabase } from '../db/database.js';
import { createPgPool } from '../db/pg/pool.js';
import { copySqliteToPg, type CopyReport } from '../db/pg/copy.js';
import { UsageError } from './table.js';

const URL_SHAPE = 'postgres://USER:PASSWORD@HOST:5432/DATABASE';

export interface DbCommandInput {
  action: string | undefined;
  to: string | undefined;
  /** The SQLite file to copy: the config's database.path. */
  source: string;
}

export interface DbCommandIo {
  out(line: string): void;
  err(line: string): void;
}

/** The URL with its password replaced by `***`, for messages; null when it does not parse. */
export function redactUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** Replaces every appearance of the URL's password (raw and percent-decoded) in `text` with `***`. */
export function scrubPassword(text: string, url: string): string {
  let password = '';
  try {
    password = new URL(url).password;
  } catch {
    // An unparsable URL: the whole URL is the secret then.
    return url ? text.split(url).join('***') : text;
  }
  if (!password) return text;
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    decoded = password;
  }
  return [password, decoded].reduce((acc, secret) => acc.split(secret).join('***'), text);
}

/** Checks `--to`; the message names the option and the expected shape, never echoing the value. */
export function checkTarget(to: string | undefined): string {
  if (to === undefined || to === '') throw new UsageError(`db migrate: --to ${URL_SHAPE} is required`);
  const shown = redactUrl(to);
  if (shown === null) throw new UsageError(`db migrate: --to is not a URL; use ${URL_SHAPE}`);
  const { protocol, pathname } = new URL(to);
  if (protocol !== 'postgres:' && protocol !== 'postgresql:')
    throw new UsageError(`db migrate: --to is not a postgres:// URL; use ${URL_SHAPE}`);
  if (pathname.length <= 1)
    throw new UsageError(`db migrate: --to ${shown} names no database; use ${URL_SHAPE} (an empty database)`);
  return shown;
}

/** One line per copied table with rows, largest first. */
function tableSummary(report: CopyReport): string {
  const counted = Object.entries(report.tables).filter(([, n]) => n > 0);
  counted.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return counted.map(([table, n]) => `${table} ${n}`).join(', ') || 'no rows';
}

/**
 * Copies the SQLite database `input.source` into the PostgreSQL database `input.to`. Exit codes:
 * 0 copied and verified; 1 refused or failed (the copy is one transaction: nothing was written),
 * or copied but the chain does not verify (kept: it is the same evidence SQLite holds); 2 bad usage.
 */
export async function runDbCommand(input: DbCommandInput, io: DbCommandIo): Promise<number> {
  if (input.action !== 'migrate')
    throw new UsageError(`db: expected "db migrate --to ${URL_SHAPE}", got "db ${input.action ?? ''}"`);
  const shown = checkTarget(input.to);
  const url = input.to!;
  const { source } = input;
  if (!existsSync(source)) {
    io.err(`db migrate: no SQLite database at ${source} (database.path): nothing to migrate; pass --config FILE`);
    return 1;
  }

  const db = openDatabase(source);
  const pool = createPgPool(url, 2);
  try {
    // One read transaction: every table is copied from the same snapshot, even if a writer is still running.
    db.exec('BEGIN');
    let report: CopyReport;
    try {
      report = await copySqliteToPg(db, pool);
    } finally {
      db.exec('COMMIT');
    }
    io.out(`copied ${source} to ${shown}: ${tableSummary(report)}`);
    const v = report.verification;
    if (!v.ok) {
      io.err(
        `db migrate: the audit chain does not verify on ${shown} (${v.badRows} bad row(s), first at row ${v.firstBadId ?? '?'}); ` +
          `run "vigil audit verify" on the SQLite install: the copy keeps its rows as they are`,
      );
      return 1;
    }
    io.out(`audit chain verified on PostgreSQL: ${v.rows} rows`);
    io.out(
      'next: stop every vigil using the SQLite file, set database.url to this URL in the config ' +
        '(the password through ${env:NAME}), then start vigil serve on each daemon',
    );
    return 0;
  } catch (err) {
    const why = scrubPassword(err instanceof Error ? err.message : String(err), url);
    io.err(`db migrate: ${shown}: ${why}${hint(why)}`);
    return 1;
  } finally {
    db.close();
    await pool.end();
  }
}

/** The fix for the failures an operator meets most, appended to the driver's message. */
function hint(why: string): string {
  if (/already holds/.test(why)) return '';
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|timeout/i.test(why))
    return '; check the host and port in --to and that PostgreSQL accepts connections from here';
  if (/password authentication|no pg_hba|role .* does not exist/i.test(why))
    return '; check the user and password in --to (and pg_hba.conf)';
  if (/database .* does not exist/i.test(why)) return '; create it first (createdb NAME) and pass its name in --to';
  return '';
}
