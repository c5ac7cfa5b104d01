import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { DatasetGrade } from '../grants/dataset-grant.entity';

export type ExportReviewStatus = 'pending' | 'approved' | 'rejected';

/**
 * What one providing organization owes an export: `general` data needs one approving steward, `important`
 * two distinct ones. `providerOrgId` null: the run mounted no dataset, an operator reviews.
 */
@Entity('sandbox_export_reviews')
@Unique('uq_sandbox_export_reviews_provider', ['exportId', 'providerOrgId'])
export class ExportReviewEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('idx_sandbox_export_reviews_export_id')
  @Column({ type: 'uuid' })
  exportId: string;

  @Index('idx_sandbox_export_reviews_provider_org_id')
  @Column({ type: 'uuid', nullable: true })
  providerOrgId: string | null;

  @Column({ type: 'text' })
  grade: DatasetGrade;

  @Column({ type: 'integer' })
  requiredApprovals: number;

  @Column({ type: 'text', default: 'pending' })
  status: ExportReviewStatus;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
