import { canonicalJsonBytes } from './jcs';
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

export function eventLeafHash(event: LedgerEvent): Buffer {
  return leafHash(canonicalJsonBytes(event));
}
