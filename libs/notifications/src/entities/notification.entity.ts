import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from '@aihub/identity';

/**
 * One in-app notification for one user. Rows are written by `NotificationsService.notify` inside the
 * transaction of the business change they announce, so a rolled-back change notifies nobody.
 */
@Entity('notifications')
@Index('idx_notifications_user_read_created', ['userId', 'readAt', 'createdAt'])
export class NotificationEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  /** machine-readable event kind, e.g. `application.returned` (see NOTIFICATION_KINDS) */
  @Column({ type: 'text' })
  kind: string;

  /** user-facing, in Chinese */
  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'text', nullable: true })
  body: string | null;

  @Column({ type: 'text', nullable: true })
  objectType: string | null;

  @Column({ type: 'text', nullable: true })
  objectId: string | null;

  /** set from the injectable Clock (not the database clock), so tests that move time see it */
  @Column({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  readAt: Date | null;
}
