import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import type { ArchiveFormat, DatasetVersionKind, DatasetVersionStatus } from '../schema/dataset-schema';
import { DatasetEntity } from './dataset.entity';

const bigintNumber = { to: (v: number) => v, from: (v: string | null) => (v === null ? v : Number(v)) };

/**
 * One immutable upload of a dataset (raw). The bytes are in the private `datasets` bucket under
 * `storageKey` (made of ids); `sha256`/`sizeBytes`/`rowCount` were computed while streaming them in.
 * `rowCount` counts CSV records (header excluded, quoted newlines inside a record) or, for archives,
 * the regular files in the archive.
 */
@Entity('dataset_versions')
@Index('uq_dataset_versions_dataset_version', ['datasetId', 'version'], { unique: true })
export class DatasetVersionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  datasetId: string;

  @ManyToOne(() => DatasetEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'dataset_id' })
  dataset?: DatasetEntity;

  /** 1, 2, 3 … per dataset */
  @Column({ type: 'integer' })
  version: number;

  @Column({ type: 'text' })
  kind: DatasetVersionKind;

  /** for archives: tar.gz or zip; null for CSV */
  @Column({ type: 'text', nullable: true })
  archiveFormat: ArchiveFormat | null;

  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  sizeBytes: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  rowCount: number;

  /** CSV header as uploaded (column order of the file); empty for archives */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  columns: string[];

  @Column({ type: 'text' })
  storageKey: string;

  /** sanitized name the steward uploaded, for display only */
  @Column({ type: 'text' })
  fileName: string;

  @Column({ type: 'text', default: 'available' })
  status: DatasetVersionStatus;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
