import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * The standardized evaluation of one scenario: which columns hold the id and the target, and the hidden
 * ground truth (a private object; only its key, digest and size are kept here, it is never served).
 */
@Entity('evaluation_specs')
export class EvaluationSpecEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('uq_evaluation_specs_scenario_id', { unique: true })
  @Column({ type: 'uuid' })
  scenarioId: string;

  @Column({ type: 'text', default: 'id' })
  idColumn: string;

  /** null for the JSON formats (map_iou, span_f1) */
  @Column({ type: 'text', nullable: true })
  targetColumn: string | null;

  /** storage key in the ground-truth bucket; null until uploaded (or after a format change) */
  @Column({ type: 'text', nullable: true })
  groundTruthKey: string | null;

  @Column({ type: 'text', nullable: true })
  groundTruthSha256: string | null;

  @Column({
    type: 'bigint',
    nullable: true,
    transformer: { to: (v) => v, from: (v) => (v === null ? null : Number(v)) },
  })
  groundTruthSizeBytes: number | null;

  @Column({ type: 'integer', nullable: true })
  groundTruthRows: number | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  groundTruthUploadedAt: Date | null;

  /** label formats: every label of the ground truth (lets the scorer stream both files side by side) */
  @Column({ type: 'jsonb', nullable: true })
  truthLabels: string[] | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
