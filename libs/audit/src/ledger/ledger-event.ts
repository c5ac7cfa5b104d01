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
  details: Record<string, unknown>;
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
    details: row.details,
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
