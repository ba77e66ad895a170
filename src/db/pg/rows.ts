/**
 * Row → record mappings for the PostgreSQL stores. Every table's mapping is shared with the SQLite
 * stores (../rows.ts, re-exported here), so both engines hand out identical records; the contract
 * suite (test/db/ports.test.ts) runs the same assertions against both. Only the audit chain's
 * stored-column form is built here: SQLite's audit statements return it directly.
 */
import type { ChainRow } from '../audit-chain.js';
import { auditRowOf as auditRecordOf, str, type AuditRow, type Row } from '../rows.js';

export {
  actionOf,
  approvalOf,
  eventOf,
  incidentOf,
  leaseOf,
  monitorRunOf,
  outboxRowOf,
  silenceOf,
  type Row,
} from '../rows.js';

/** An audit row as stored, for the chain walk. */
export function chainRowOf(r: Row): ChainRow {
  return {
    id: r.id as number,
    at: r.at as number,
    caller_kind: r.caller_kind as string,
    caller_id: r.caller_id as string,
    session_id: str(r.session_id),
    tool: r.tool as string,
    tier: str(r.tier),
    args: r.args as string,
    target: str(r.target),
    decision: r.decision as string,
    outcome: r.outcome as string,
    duration_ms: r.duration_ms as number,
    error: str(r.error),
    approval_id: str(r.approval_id),
    prev_hash: r.prev_hash as string,
    hash: r.hash as string,
  };
}

/** An audit row as the API hands it out. */
export const auditRowOf = (r: Row): AuditRow => auditRecordOf(chainRowOf(r));
