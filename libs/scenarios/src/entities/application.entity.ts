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
import type { ApplicationState } from '../lifecycle/state-machine';
import type { FormalCheckDecision } from '../vocabularies';
import { ScenarioEntity } from './scenario.entity';

/**
 * An organization's application (揭榜) to a scenario. `issuerOrgId` and `batchId` are copied from the
 * scenario so that access rules (the issuer sees submitted applications) and the per-batch cap are
 * plain column conditions.
 */
@Entity('applications')
@Index('uq_applications_scenario_applicant', ['scenarioId', 'applicantOrgId'], {
  unique: true,
  where: `"status" <> 'withdrawn'`,
})
@Index('idx_applications_applicant_batch', ['applicantOrgId', 'batchId'])
@Index('idx_applications_created_at_id', ['createdAt', 'id'])
export class ApplicationEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('idx_applications_scenario_id')
  @Column({ type: 'uuid' })
  scenarioId: string;

  @ManyToOne(() => ScenarioEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'scenario_id' })
  scenario?: ScenarioEntity;

  /** the lead organization */
  @Column({ type: 'uuid' })
  applicantOrgId: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'applicant_org_id' })
  applicantOrg?: OrganizationEntity;

  @Index('idx_applications_issuer_org_id')
  @Column({ type: 'uuid' })
  issuerOrgId: string;

  @Column({ type: 'uuid' })
  batchId: string;

  @Column({ type: 'text' })
  proposal: string;

  /** member organizations of the consortium, besides the lead (at most 4) */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  consortiumOrgIds: string[];

  @Column({ type: 'text', default: 'draft' })
  status: ApplicationState;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  /** first submission; from then on the issuer may see the application */
  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  submittedAt: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  lastSubmittedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  formalCheckDecision: FormalCheckDecision | null;

  @Column({ type: 'text', nullable: true })
  formalCheckReason: string | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  formalCheckedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  formalCheckedBy: string | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
