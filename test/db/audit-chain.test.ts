// Pins that what the audit chain hashes is exactly what SQLite stores and reads back, for any string a client can send, and that verify reports every broken row and range.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createAuditStore } from '../../src/db/audit.js';
import { wellFormed } from '../../src/db/audit-chain.js';
import type { AuditEntry } from '../../src/db/audit.js';
import { entry, openTracked, tempDbPath } from './helpers.js';

/** Any string: full code-point range including lone surrogates, NUL and control characters. */
const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '\ud800',
    '\udfff',
    'a\ud800b',
    '\udc00\ud800',
    '\u0000',
    'x\u0000y',
    '\ufffd',
    '\ud83d\ude00',
    '__proto__',
  ),
);
const anyJson = fc
  .jsonValue()
  .chain((v) => fc.tuple(fc.constant(v), anyString))
  .map(([v, s]) => ({ v, s, [s]: s }));

const anyEntry: fc.Arbitrary<AuditEntry> = fc.record({
  at: fc.integer({ min: 0, max: 2 ** 48 }),
  callerKind: fc.constantFrom('assistant', 'operator', 'monitor'),
  callerId: anyString,
  sessionId: fc.option(anyString, { nil: null }),
  tool: anyString,
  tier: fc.constantFrom('green', 'yellow', 'red', null),
  args: anyJson,
  target: fc.option(anyJson, { nil: null }),
  decision: fc.constantFrom('allowed', 'invalid', 'unknown_tool', 'blocked'),
  outcome: fc.constantFrom('ok', 'error', 'not_run'),
  durationMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
  error: fc.option(anyString, { nil: null }),
  approvalId: fc.option(anyString, { nil: null }),
}) as fc.Arbitrary<AuditEntry>;

describe('audit chain over arbitrary strings', () => {
  it('verifies after appending any entries to a real SQLite file, and reads back what it hashed', () => {
    const db = openTracked(tempDbPath());
    const audit = createAuditStore(db);
    let appended = 0;
    fc.assert(
      fc.property(fc.array(anyEntry, { minLength: 1, maxLength: 5 }), (entries) => {
        for (const e of entries) {
          const id = audit.append(e);
          appended += 1;
          const back = audit.list({ limit: 1 })[0]!;
          expect(back.id).toBe(id);
          expect(back.tool).toBe(wellFormed(e.tool));
          expect(back.callerId).toBe(wellFormed(e.callerId));
          expect(back.sessionId).toBe(e.sessionId === null ? null : wellFormed(e.sessionId));
          expect(back.error).toBe(e.error === null ? null : wellFormed(e.error));
          expect(back.approvalId).toBe(e.approvalId === null ? null : wellFormed(e.approvalId));
          // JSON columns escape lone surrogates, so the arguments come back exactly as their JSON
          // (the only form a client can send them in; it has no -0, for one).
          expect(back.args).toEqual(JSON.parse(JSON.stringify(e.args)));
        }
        expect(audit.verify()).toEqual({ ok: true, rows: appended });
      }),
      { numRuns: 150 },
    );
  });

  it('verifies a lone surrogate, NUL and a 1.5 MB string in every text column', () => {
    const audit = createAuditStore(openTracked(tempDbPath()));
    const huge = `${'\ud800x\u0000'.repeat(1 << 19)}\udbff`;
    for (const s of ['\ud800', 'a\u0000b', huge]) {
      audit.append(entry(1, { tool: s, callerId: s, sessionId: s, error: s, approvalId: s, args: { [s]: s } }));
    }
    expect(audit.verify()).toEqual({ ok: true, rows: 3 });
    const [last] = audit.list({ limit: 1 });
    expect(last!.tool).toHaveLength(huge.length);
    expect(last!.args).toEqual({ [huge]: huge });
  });

  it('stores a non-string value in a text column as the text it reads back', () => {
    const audit = createAuditStore(openTracked(tempDbPath()));
    audit.append(entry(1, { tool: 42 as unknown as string, callerId: undefined as unknown as string }));
    expect(audit.verify()).toEqual({ ok: true, rows: 1 });
    expect(audit.list({ limit: 1 })[0]).toMatchObject({ tool: '42', callerId: '' });
  });
});

describe('audit verify reports every broken row', () => {
  it('names every edited row, grouped into ranges, and keeps walking past the first', () => {
    const db = openTracked(tempDbPath());
    const audit = createAuditStore(db);
    for (let n = 1; n <= 12; n += 1) audit.append(entry(n));
    const edit = db.prepare(`UPDATE audit SET caller_id = 'mallory' WHERE id = ?`);
    for (const id of [2, 3, 4, 9]) edit.run(id);
    db.prepare('DELETE FROM audit WHERE id IN (6, 7)').run();
    const result = audit.verify();
    expect(result).toMatchObject({ ok: false, rows: 10, firstBadId: 2, badRows: 6 });
    if (result.ok) return;
    expect(result.ranges.map(({ first, last, count }) => ({ first, last, count }))).toEqual([
      { first: 2, last: 4, count: 3 },
      { first: 6, last: 7, count: 2 },
      { first: 9, last: 9, count: 1 },
    ]);
    expect(result.ranges[0]!.reason).toMatch(/edited/);
    expect(result.ranges[1]!.reason).toMatch(/missing/);
  });

  it('names the rows deleted from the end and the rows appended past the recorded head', () => {
    const db = openTracked(tempDbPath());
    const audit = createAuditStore(db);
    for (let n = 1; n <= 8; n += 1) audit.append(entry(n));
    db.prepare('DELETE FROM audit WHERE id >= 6').run();
    const deleted = audit.verify();
    expect(deleted).toMatchObject({ ok: false, firstBadId: 6, badRows: 3 });
    if (!deleted.ok) expect(deleted.ranges).toMatchObject([{ first: 6, last: 8, count: 3 }]);
  });
});
