import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { requestContext } from '@aihub/core';
import { AuditEventEntity, AuditOutcome } from '../entities/audit-event.entity';

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

  async record(manager: EntityManager, input: AuditInput): Promise<AuditEventEntity> {
    return manager.getRepository(AuditEventEntity).save(this.toRow(input));
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
    row.details = input.details ?? {};
    row.actorId = input.actorId !== undefined ? input.actorId : (ctx?.actorId ?? null);
    row.actorOrgId = input.actorOrgId !== undefined ? input.actorOrgId : (ctx?.actorOrgId ?? null);
    row.ip = input.ip !== undefined ? input.ip : (ctx?.ip ?? null);
    row.requestId = ctx?.requestId ?? null;
    return row;
  }
}
