import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { requestContext } from '@aihub/core';
import { AuditEventEntity, AuditOutcome } from '../entities/audit-event.entity';
import { canonicalJson, CanonicalJsonError } from '../ledger/jcs';

export interface AuditInput {
  action: string;
  objectType: string;
  objectId?: string | null;
  outcome?: AuditOutcome;
  details?: Record<string, unknown>;
  /** defaults to the authenticated actor of the current request */
  actorId?: string | null;
  actorOrgId?: string | null;
  ip?: string | null;
}

/** Writes audit events. `record` joins the caller's transaction so the event commits with the change. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * One plain INSERT (no ORM entity persistence: this runs in every business transaction). Resolves to the
   * row as stored, with its id, seq and at.
   */
  async record(manager: EntityManager, input: AuditInput): Promise<AuditEventEntity> {
    const row = this.toRow(input);
    const [stored] = (await manager.query(
      // $9 is text in both places: a bare $9 next to $9::jsonb would be typed jsonb and stored as jsonb's
      // (non-canonical) text form
      `INSERT INTO audit_events
         (actor_id, actor_org_id, action, object_type, object_id, outcome, ip, request_id, details, details_jcs)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb, $9::text)
       RETURNING id, seq::text AS seq, at`,
      [
        row.actorId,
        row.actorOrgId,
        row.action,
        row.objectType,
        row.objectId,
        row.outcome,
        row.ip,
        row.requestId,
        row.detailsJcs,
      ],
    )) as { id: string; seq: string; at: Date }[];
    row.id = stored.id;
    row.seq = stored.seq;
    row.at = stored.at;
    return row;
  }

  /**
   * For events with no business transaction to join (denied attempts, failed logins).
   * Never throws: a failure to audit a denial must not turn it into a 500.
   */
  async recordDetached(input: AuditInput): Promise<void> {
    try {
      await this.record(this.dataSource.manager, input);
    } catch (err) {
      this.logger.error({ err, action: input.action }, 'could not write audit event');
    }
  }

  private toRow(input: AuditInput): AuditEventEntity {
    const ctx = requestContext();
    const row = new AuditEventEntity();
    row.action = input.action;
    row.objectType = input.objectType;
    row.objectId = input.objectId ?? null;
    row.outcome = input.outcome ?? 'success';
    row.detailsJcs = detailsJcs(input.details ?? {});
    row.details = JSON.parse(row.detailsJcs) as Record<string, unknown>;
    row.actorId = input.actorId !== undefined ? input.actorId : (ctx?.actorId ?? null);
    row.actorOrgId = input.actorOrgId !== undefined ? input.actorOrgId : (ctx?.actorOrgId ?? null);
    row.ip = input.ip !== undefined ? input.ip : (ctx?.ip ?? null);
    row.requestId = ctx?.requestId ?? null;
    return row;
  }
}

/**
 * The canonical JSON of what PostgreSQL stores for `details`. Values JSON cannot hold are treated as
 * JSON.stringify treats them (the form the jsonb column always had): undefined members dropped, Dates and
 * other toJSON objects converted, NaN as null.
 */
export function detailsJcs(details: Record<string, unknown>): string {
  try {
    return canonicalJson(details);
  } catch (err) {
    if (!(err instanceof CanonicalJsonError)) throw err;
    return canonicalJson(JSON.parse(JSON.stringify(details)));
  }
}
