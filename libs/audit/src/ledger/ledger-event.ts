import { canonicalJson } from './jcs';
import { leafHash } from './merkle';

export type LedgerOutcome = 'success' | 'denied' | 'failure';

/**
 * The hashed form of an audit event: exactly the item `GET /audit/events` returns, without `leafHash`.
 * leaf hash = SHA-256(0x00 || JCS(event)) — anyone can recompute it from the API's JSON.
 */
export interface LedgerEvent {
  index: number;
  /** ISO-8601 UTC with milliseconds, as the API returns it */
  at: string;
  actorId: string | null;
  action: string;
  objectType: string;
  objectId: string | null;
  outcome: LedgerOutcome;
  ip: string | null;
  details: Record<string, unknown>;
}

/** A stored event row as the ledger reads it (the columns that make up the hashed form). */
export interface LedgerEventRow {
  at: Date;
  actorId: string | null;
  action: string;
  objectType: string;
  objectId: string | null;
  outcome: string;
  ip: string | null;
  /** used when there is no canonical text (events recorded before there was) */
  details: Record<string, unknown> | null;
  /** audit_events.details_jcs: the canonical text of the details, when there is one (what is shown) */
  detailsJcs?: string | null;
}

/** The SELECT list (audit_events as `e`) of what makes up the hashed form; LedgerEventRow's names. */
export const LEDGER_EVENT_COLUMNS = `e.at, e.actor_id AS "actorId", e.action, e.object_type AS "objectType",
  e.object_id AS "objectId", e.outcome, e.ip, e.details_jcs AS "detailsJcs",
  CASE WHEN e.details_jcs IS NULL THEN e.details END AS details`;

/** The details as shown: parsed from their canonical text (the jsonb column only for old events). */
export function ledgerDetails(row: LedgerEventRow): Record<string, unknown> {
  if (row.detailsJcs !== null && row.detailsJcs !== undefined) {
    return JSON.parse(row.detailsJcs) as Record<string, unknown>;
  }
  return row.details ?? {};
}

/** Builds the hashed form with exactly these members (nothing the row may carry besides). */
export function toLedgerEvent(index: number, row: LedgerEventRow): LedgerEvent {
  return {
    index,
    at: row.at.toISOString(),
    actorId: row.actorId,
    action: row.action,
    objectType: row.objectType,
    objectId: row.objectId,
    outcome: row.outcome as LedgerOutcome,
    ip: row.ip,
    details: ledgerDetails(row),
  };
}

/**
 * JCS of the fixed event shape: members listed in code-unit order (action, actorId, at, details, index,
 * ip, objectId, objectType, outcome), so the generic serializer's fast path needs no sort at the top level
 * (checked against the members-sorting path by the spec).
 */
export function canonicalEventJson(event: LedgerEvent): string {
  return canonicalJson({
    action: event.action,
    actorId: event.actorId,
    at: event.at,
    details: event.details,
    index: event.index,
    ip: event.ip,
    objectId: event.objectId,
    objectType: event.objectType,
    outcome: event.outcome,
  });
}

export function eventLeafHash(event: LedgerEvent): Buffer {
  return leafHash(Buffer.from(canonicalEventJson(event), 'utf8'));
}
