import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Role } from '@aihub/authz';
import { Clock } from '@aihub/core';
import { InvalidNotificationError } from '../notifications.errors';

export interface NotificationRecipients {
  userIds?: string[];
  /** every active member of these organizations */
  organizationIds?: string[];
  /** every active holder of any of these roles */
  roles?: Role[];
}

export interface NotifyInput {
  recipients: NotificationRecipients;
  /** machine-readable, e.g. `application.returned` (see NOTIFICATION_KINDS) */
  kind: string;
  /** user-facing, in Chinese */
  title: string;
  body?: string;
  objectType?: string;
  objectId?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const unique = <T>(values: readonly T[] | undefined): T[] => [...new Set(values ?? [])];

/** Validates and normalizes what a producer passes; exported for unit tests. */
export function normalizeNotifyInput(input: NotifyInput): {
  userIds: string[];
  organizationIds: string[];
  roles: Role[];
  kind: string;
  title: string;
  body: string | null;
  objectType: string | null;
  objectId: string | null;
} {
  const userIds = unique(input.recipients.userIds);
  const organizationIds = unique(input.recipients.organizationIds);
  const bad = [...userIds, ...organizationIds].find((id) => !UUID.test(id));
  if (bad !== undefined)
    throw new InvalidNotificationError(`recipient id ${JSON.stringify(bad)} is not a UUID`);
  const kind = input.kind.trim();
  const title = input.title.trim();
  if (!kind || kind.length > 100) throw new InvalidNotificationError('kind must be 1-100 characters');
  if (!title || title.length > 200) throw new InvalidNotificationError('title must be 1-200 characters');
  return {
    userIds,
    organizationIds,
    roles: unique(input.recipients.roles),
    kind,
    title,
    body: input.body?.trim() || null,
    objectType: input.objectType ?? null,
    objectId: input.objectId ?? null,
  };
}

/**
 * The producer side of in-app notifications. Other libs call `notify(manager, …)` inside the
 * transaction of the change they announce: the rows commit (or roll back) with it.
 */
@Injectable()
export class NotificationsService {
  private readonly logger = new Logger(NotificationsService.name);

  constructor(private readonly clock: Clock) {}

  /**
   * Inserts one row per recipient user. Organizations and roles are resolved to their active members
   * now (someone who joins later does not get past notifications); a user reached several ways gets
   * one row; inactive users get none. One INSERT … SELECT, so the resolution sees the caller's snapshot.
   */
  async notify(manager: EntityManager, input: NotifyInput): Promise<void> {
    const n = normalizeNotifyInput(input);
    if (!n.userIds.length && !n.organizationIds.length && !n.roles.length) return;
    const rows: unknown[] = await manager.query(
      `INSERT INTO notifications (user_id, kind, title, body, object_type, object_id, created_at)
       SELECT u.id, $4, $5, $6, $7, $8, $9
         FROM users u
        WHERE u.active
          AND (u.id = ANY($1::uuid[]) OR u.organization_id = ANY($2::uuid[]) OR u.roles && $3::text[])
       RETURNING id`,
      [
        n.userIds,
        n.organizationIds,
        n.roles,
        n.kind,
        n.title,
        n.body,
        n.objectType,
        n.objectId,
        this.clock.now(),
      ],
    );
    this.logger.debug({ kind: n.kind, objectId: n.objectId, recipients: rows.length }, 'notified');
  }
}
