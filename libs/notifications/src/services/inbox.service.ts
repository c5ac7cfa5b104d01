import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { assertCanRead, AuthenticatedActor, whereAccessible } from '@aihub/authz';
import { Clock, decodeCursor, pageLimit, toPage } from '@aihub/core';
import type {
  MarkAllReadView,
  NotificationPageView,
  NotificationQueryDto,
  NotificationView,
} from '../dto/notifications.dto';
import { NotificationEntity } from '../entities/notification.entity';

export const toNotificationView = (n: NotificationEntity): NotificationView => ({
  id: n.id,
  kind: n.kind,
  title: n.title,
  body: n.body,
  objectType: n.objectType,
  objectId: n.objectId,
  createdAt: n.createdAt.toISOString(),
  readAt: n.readAt ? n.readAt.toISOString() : null,
});

/**
 * The recipient side: a user's own inbox. Marking read is private UI state of one user, not a business
 * state change, so it is not written to the audit ledger (the event that caused the notification is).
 */
@Injectable()
export class InboxService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Newest first, keyset on (created_at, id) descending; served by idx_notifications_user_read_created. */
  async list(actor: AuthenticatedActor, query: NotificationQueryDto): Promise<NotificationPageView> {
    const limit = pageLimit(query);
    const after = decodeCursor(query.cursor);
    const qb = this.dataSource
      .getRepository(NotificationEntity)
      .createQueryBuilder('n')
      .where('n.user_id = :me', { me: actor.user.id });
    whereAccessible(qb, actor.ability, 'read', 'Notification');
    if (query.unread) qb.andWhere('n.read_at IS NULL');
    if (after)
      qb.andWhere('(n.created_at, n.id) < (:pageKey::timestamptz, :pageId::uuid)', {
        pageKey: after.key,
        pageId: after.id,
      });
    const rows = await qb
      .orderBy('n.created_at', 'DESC')
      .addOrderBy('n.id', 'DESC')
      .take(limit + 1)
      .getMany();
    const page = toPage(
      rows,
      limit,
      (n) => ({ key: n.createdAt.toISOString(), id: n.id }),
      toNotificationView,
    );
    return { ...page, unreadCount: await this.unreadCount(actor.user.id) };
  }

  /** Idempotent: a notification already read keeps its first read time. 404 unless it is the caller's. */
  async markRead(actor: AuthenticatedActor, id: string): Promise<NotificationView> {
    const repo = this.dataSource.getRepository(NotificationEntity);
    const row = assertCanRead(
      actor.ability,
      'Notification',
      await repo.findOne({ where: { id } }),
      id,
      'update',
    );
    if (!row.readAt) {
      const readAt = this.clock.now();
      await repo.update({ id, readAt: IsNull() }, { readAt });
      return toNotificationView((await repo.findOneBy({ id })) ?? { ...row, readAt });
    }
    return toNotificationView(row);
  }

  async markAllRead(actor: AuthenticatedActor): Promise<MarkAllReadView> {
    const result = await this.dataSource
      .getRepository(NotificationEntity)
      .createQueryBuilder()
      .update()
      .set({ readAt: this.clock.now() })
      .where('user_id = :me AND read_at IS NULL', { me: actor.user.id })
      .execute();
    return { marked: result.affected ?? 0, unreadCount: await this.unreadCount(actor.user.id) };
  }

  private unreadCount(userId: string): Promise<number> {
    return this.dataSource.getRepository(NotificationEntity).countBy({ userId, readAt: IsNull() });
  }
}
