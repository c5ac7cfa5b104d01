import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { OrganizationEntity } from '@aihub/identity';
import type { DatasetField, DatasetGrade, OpenAttribute } from '../schema/dataset-schema';

/**
 * A dataset registered by a data steward of a government organization (the provider). `name` becomes
 * the directory `/data/<name>/` inside sandboxes, hence the slug charset (checked in the DTO) and its
 * uniqueness per provider. `fields` is the declared schema: per column its type, identifier kind
 * (GB/T 37964) and masking rule. The bytes of versions live in storage, never in this table.
 */
@Entity('datasets')
@Index('uq_datasets_organization_name', ['organizationId', 'name'], { unique: true })
@Index('idx_datasets_created_at_id', ['createdAt', 'id'])
export class DatasetEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', default: '' })
  description: string;

  /** GB/T 43697-2024 grade */
  @Column({ type: 'text' })
  grade: DatasetGrade;

  @Column({ type: 'text' })
  openAttribute: OpenAttribute;

  @Column({ type: 'jsonb' })
  fields: DatasetField[];

  /** the providing (government) organization */
  @Column({ type: 'uuid' })
  organizationId: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id' })
  organization?: OrganizationEntity;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  /** number of the newest version (0: none yet); versions are numbered under a row lock on this */
  @Column({ type: 'integer', default: 0 })
  latestVersion: number;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
