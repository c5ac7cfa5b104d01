import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DatasetVersionEntity } from './dataset-version.entity';

const bigintNumber = { to: (v: number) => v, from: (v: string) => Number(v) };

/**
 * The row fingerprint set of a CSV version (see governance/fingerprints.ts), built once and kept in the
 * `views` bucket under `storageKey`; `sha256` is checked whenever it is read back. `directColumns` are
 * the columns declared as direct identifiers, so log redaction and the airlock know what to look for.
 */
@Entity('dataset_fingerprints')
export class DatasetFingerprintEntity {
  @PrimaryColumn({ type: 'uuid' })
  versionId: string;

  @ManyToOne(() => DatasetVersionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'version_id' })
  version?: DatasetVersionEntity;

  @Column({ type: 'text' })
  storageKey: string;

  @Column({ type: 'char', length: 64 })
  sha256: string;

  /** number of distinct fingerprints in the set */
  @Column({ type: 'bigint', transformer: bigintNumber })
  size: number;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  directColumns: string[];

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
