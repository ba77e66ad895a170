// Pins the database-outage report: an outage runs from the first failed probe to the first good one; the leader reports each ended outage once, with its length; a standby drops its report after the grace period.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { afterProbe, NO_OUTAGE, reportDecision, type OutageState } from '../../src/monitor/outage.js';

describe('database outage reports', () => {
  it('reports from the first failure to the first success, once, on the leader', () => {
    let s: OutageState = NO_OUTAGE;
    s = afterProbe(s, true, 1_000);
    s = afterProbe(s, false, 2_000);
    s = afterProbe(s, false, 3_000);
    expect(reportDecision(s, true, 3_000, 10_000).send).toBeNull();
    s = afterProbe(s, true, 9_000);
    const first = reportDecision(s, true, 9_000, 10_000);
    expect(first.send).toEqual({ from: 2_000, to: 9_000 });
    expect(reportDecision(first.state, true, 9_500, 10_000).send).toBeNull();
  });

  it('a standby keeps its report through the grace period (it may lead), then drops it', () => {
    const s = afterProbe(afterProbe(NO_OUTAGE, false, 0), true, 5_000);
    const kept = reportDecision(s, false, 6_000, 3_000);
    expect(kept.send).toBeNull();
    expect(reportDecision(kept.state, true, 7_000, 3_000).send).toEqual({ from: 0, to: 5_000 });
    expect(reportDecision(kept.state, false, 9_000, 3_000).state.due).toBeNull();
  });

  it('never reports more outages than ended, and each report spans a real outage', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ ok: fc.boolean(), leading: fc.boolean() }), { maxLength: 60 }), (probes) => {
        let s: OutageState = NO_OUTAGE;
        let ended = 0;
        const sent: { from: number; to: number }[] = [];
        probes.forEach((p, i) => {
          const at = i * 1000;
          const was = s.downSince;
          s = afterProbe(s, p.ok, at);
          if (was !== null && s.downSince === null) ended += 1;
          const d = reportDecision(s, p.leading, at, 3_000);
          s = d.state;
          if (d.send) sent.push(d.send);
        });
        expect(sent.length).toBeLessThanOrEqual(ended);
        for (const r of sent) expect(r.to).toBeGreaterThan(r.from);
        for (let i = 1; i < sent.length; i++) expect(sent[i]!.from).toBeGreaterThanOrEqual(sent[i - 1]!.to);
      }),
    );
  });
});
