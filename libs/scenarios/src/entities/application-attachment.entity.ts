import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import type { AttachmentKind } from '../attachments/file-sniffer';
import { ApplicationEntity } from './application.entity';

/**
 * A proposal file. The bytes live in the attachments bucket under a key made of ids; `fileName` is the
 * sanitized name the user gave, kept for display only.
 */
@Entity('application_attachments')
@Index('idx_application_attachments_application_created', ['applicationId', 'createdAt', 'id'])
export class ApplicationAttachmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  applicationId: string;

  @ManyToOne(() => ApplicationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'application_id' })
  application?: ApplicationEntity;

  @Column({ type: 'text' })
  fileName: string;

  /** decided from the bytes, not from the name */
  @Column({ type: 'text' })
  kind: AttachmentKind;

  @Column({ type: 'text' })
  contentType: string;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  sizeBytes: number;

  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ type: 'text' })
  storageKey: string;

  @Column({ type: 'uuid', nullable: true })
  uploadedBy: string | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
