import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One reviewer's vote on an export; a person votes once per export. */
@Entity('sandbox_export_decisions')
@Index('uq_sandbox_export_decisions_decider', ['exportId', 'deciderId'], { unique: true })
export class ExportDecisionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  exportId: string;

  @Index('idx_sandbox_export_decisions_review_id')
  @Column({ type: 'uuid' })
  reviewId: string;

  @Column({ type: 'uuid' })
  deciderId: string;

  @Column({ type: 'boolean' })
  approve: boolean;

  @Column({ type: 'text' })
  reason: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
