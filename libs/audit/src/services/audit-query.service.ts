import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Actor, whereAccessible } from '@aihub/authz';
import { decodeCursor, Page, pageLimit, toPage } from '@aihub/core';
import type { AuditEventQueryDto, AuditEventView } from '../dto/audit.dto';
import { AuditEventEntity } from '../entities/audit-event.entity';

const toView = (e: AuditEventEntity): AuditEventView => ({
  index: null,
  at: e.at.toISOString(),
  actorId: e.actorId,
  action: e.action,
  objectType: e.objectType,
  objectId: e.objectId,
  outcome: e.outcome,
  ip: e.ip,
  details: e.details,
  leafHash: null,
});

/** Filtered, newest-first listing for auditors and operators (keyset on the insertion sequence). */
@Injectable()
export class AuditQueryService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(actor: Actor, q: AuditEventQueryDto): Promise<Page<AuditEventView>> {
    const limit = pageLimit(q);
    const after = decodeCursor(q.cursor);
    const qb = this.dataSource.getRepository(AuditEventEntity).createQueryBuilder('e');
    whereAccessible(qb, actor.ability, 'read', 'AuditEvent');
    if (q.actorId) qb.andWhere('e.actor_id = :actorId', { actorId: q.actorId });
    if (q.action) qb.andWhere('e.action = :action', { action: q.action });
    if (q.objectId) qb.andWhere('e.object_id = :objectId', { objectId: q.objectId });
    if (q.outcome) qb.andWhere('e.outcome = :outcome', { outcome: q.outcome });
    if (q.from) qb.andWhere('e.at >= :from', { from: q.from });
    if (q.to) qb.andWhere('e.at < :to', { to: q.to });
    if (after) qb.andWhere('e.seq < :seq', { seq: after.key });
    const rows = await qb
      .orderBy('e.seq', 'DESC')
      .take(limit + 1)
      .getMany();
    return toPage(rows, limit, (e) => ({ key: e.seq, id: e.id }), toView);
  }
}
