// Pins the approval, outbox and event row mappers both engines share: expiry read at `now`, NULL columns kept as null or left out.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { APPROVAL_STATUSES, approvalOf, eventOf, outboxRowOf, type Row } from '../../src/db/rows.js';

const approvalRow = (status: string, expiresAt: number): Row => ({
  id: 'apr_x',
  tool: 'start_guest',
  args: '{"node":"pve1","vmid":101}',
  args_hash: 'h',
  session_id: null,
  principal: 'assistant-token',
  caller_kind: 'assistant',
  caller_id: 'a1',
  plan: 'start 101',
  status,
  created_at: 1_000,
  expires_at: expiresAt,
  decided_at: null,
  decided_by: null,
  used_at: null,
});

describe('approvalOf', () => {
  it('reads pending and approved as expired from their expiry on, and every other status as stored', () => {
    fc.assert(
      fc.property(fc.constantFrom(...APPROVAL_STATUSES), fc.nat(), fc.nat(), (status, expiresAt, now) => {
        const live = status === 'pending' || status === 'approved';
        const expected = live && now >= expiresAt ? 'expired' : status;
        return approvalOf(approvalRow(status, expiresAt), now).status === expected;
      }),
    );
  });

  it('parses the arguments and keeps NULL columns as null', () => {
    expect(approvalOf(approvalRow('pending', 5_000), 2_000)).toStrictEqual({
      id: 'apr_x',
      tool: 'start_guest',
      args: { node: 'pve1', vmid: 101 },
      sessionId: null,
      principal: 'assistant-token',
      callerKind: 'assistant',
      callerId: 'a1',
      plan: 'start 101',
      status: 'pending',
      createdAt: 1_000,
      expiresAt: 5_000,
      decidedAt: null,
      decidedBy: null,
      usedAt: null,
    });
  });
});

describe('outboxRowOf', () => {
  it('parses the payload and keeps NULL columns as null', () => {
    const row: Row = {
      id: 7,
      channel: 'email',
      kind: 'escalation',
      incident_key: null,
      payload: '{"subject":"s","body":"b","snapshot":{"df -h":"x"}}',
      status: 'pending',
      attempts: 0,
      created_at: 10,
      next_attempt_at: 10,
      lease_owner: null,
      lease_until: null,
      last_error: null,
      delivered_at: null,
    };
    expect(outboxRowOf(row)).toStrictEqual({
      id: 7,
      channel: 'email',
      kind: 'escalation',
      incidentKey: null,
      payload: { subject: 's', body: 'b', snapshot: { 'df -h': 'x' } },
      status: 'pending',
      attempts: 0,
      createdAt: 10,
      nextAttemptAt: 10,
      leaseOwner: null,
      leaseUntil: null,
      lastError: null,
      deliveredAt: null,
    });
  });
});

describe('eventOf', () => {
  const base = { id: 3, type: 'incident.opened', severity: 'warning', title: 't', message: 'm', at: 42 };

  it('leaves a NULL optional column out of the event instead of setting it', () => {
    const optional = fc.option(fc.string(), { nil: null });
    fc.assert(
      fc.property(
        optional,
        optional,
        optional,
        fc.option(fc.dictionary(fc.string(), fc.string()), { nil: null }),
        (node, target, incidentKey, data) => {
          const event = eventOf({
            ...base,
            node,
            target,
            incident_key: incidentKey,
            data: data === null ? null : JSON.stringify(data),
          });
          const present = { node, target, incidentKey, data };
          for (const [key, value] of Object.entries(present)) {
            if (value === null) expect(key in event).toBe(false);
            else expect(event[key as keyof typeof event]).toEqual(value);
          }
        },
      ),
    );
  });

  it('reads a row with every optional column NULL as the bare event', () => {
    expect(eventOf({ ...base, node: null, target: null, incident_key: null, data: null })).toStrictEqual(base);
  });
});
