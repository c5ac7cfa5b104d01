import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Actor, whereAccessible } from '@aihub/authz';
import { decodeCursor, encodeCursor, Page, pageLimit } from '@aihub/core';
import type { AuditEventQueryDto, AuditEventView } from '../dto/audit.dto';
import { AuditEventEntity } from '../entities/audit-event.entity';
import { AuditLedgerEntryEntity } from '../entities/audit-ledger-entry.entity';
import { toLedgerEvent } from '../ledger/ledger-event';

interface ListedRow {
  seq: string;
  id: string;
  at: Date;
  actorId: string | null;
  action: string;
  objectType: string;
  objectId: string | null;
  outcome: string;
  ip: string | null;
  details: Record<string, unknown> | null;
  detailsJcs: string | null;
  leafIndex: string | null;
  leafHash: Buffer | null;
}

/** The API form of an event; `index` and `leafHash` are null until the sequencer has reached it. */
export function toEventView(row: ListedRow): AuditEventView {
  const index = row.leafIndex === null ? null : Number(row.leafIndex);
  const event = toLedgerEvent(index ?? -1, row);
  return { ...event, index, leafHash: row.leafHash ? row.leafHash.toString('hex') : null };
}

/** Filtered, newest-first listing for auditors and operators (keyset on the insertion sequence). */
@Injectable()
export class AuditQueryService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(actor: Actor, q: AuditEventQueryDto): Promise<Page<AuditEventView>> {
    const limit = pageLimit(q);
    const after = decodeCursor(q.cursor);
    const qb = this.dataSource
      .getRepository(AuditEventEntity)
      .createQueryBuilder('e')
      .leftJoin(AuditLedgerEntryEntity, 'l', 'l.event_seq = e.seq')
      .select([
        'e.seq::text AS seq',
        'e.id AS id',
        'e.at AS at',
        'e.actor_id AS "actorId"',
        'e.action AS action',
        'e.object_type AS "objectType"',
        'e.object_id AS "objectId"',
        'e.outcome AS outcome',
        'e.ip AS ip',
        'e.details_jcs AS "detailsJcs"',
        'CASE WHEN e.details_jcs IS NULL THEN e.details END AS details',
        'l.leaf_index::text AS "leafIndex"',
        'l.leaf_hash AS "leafHash"',
      ]);
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
      .limit(limit + 1)
      .getRawMany<ListedRow>();
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page[page.length - 1];
    return {
      items: page.map(toEventView),
      nextCursor: more && last ? encodeCursor({ key: last.seq, id: last.id }) : null,
    };
  }
}
