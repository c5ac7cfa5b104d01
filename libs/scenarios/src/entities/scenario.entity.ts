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
import type { ScenarioState } from '../lifecycle/state-machine';
import type { AwardMode, Domain, Layer, TechField } from '../vocabularies';
import { BatchEntity } from './batch.entity';

/**
 * A demand scenario (场景需求) issued by a government organization. The trigram indexes on title and
 * summary are hand-written in the migration (GIN, gin_trgm_ops), hence `synchronize: false`.
 */
@Entity('scenarios')
@Index('idx_scenarios_title_trgm', { synchronize: false })
@Index('idx_scenarios_summary_trgm', { synchronize: false })
@Index('idx_scenarios_created_at_id', ['createdAt', 'id'])
@Index('idx_scenarios_status_closes_at', ['status', 'applicationClosesAt'])
export class ScenarioEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'text' })
  summary: string;

  @Column({ type: 'text' })
  description: string;

  @Column({ type: 'text' })
  domain: Domain;

  @Column({ type: 'text' })
  techField: TechField;

  @Column({ type: 'text' })
  layer: Layer;

  @Column({ type: 'text' })
  awardMode: AwardMode;

  @Column({ type: 'integer' })
  maxAwardees: number;

  @Column({ type: 'timestamptz', precision: 3 })
  applicationOpensAt: Date;

  @Column({ type: 'timestamptz', precision: 3 })
  applicationClosesAt: Date;

  @Column({ type: 'integer', default: 90 })
  sandboxDays: number;

  /** datasets the awardees' sandboxes will be offered (the datasets issue resolves them) */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  datasetIds: string[];

  @Column({ type: 'text', default: 'draft' })
  status: ScenarioState;

  /** the issuing (government) organization */
  @Index('idx_scenarios_issuer_org_id')
  @Column({ type: 'uuid' })
  issuerOrgId: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'issuer_org_id' })
  issuerOrg?: OrganizationEntity;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @Index('idx_scenarios_batch_id')
  @Column({ type: 'uuid', nullable: true })
  batchId: string | null;

  @ManyToOne(() => BatchEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'batch_id' })
  batch?: BatchEntity;

  /** why the operator returned the scenario to draft; cleared when it is submitted again */
  @Column({ type: 'text', nullable: true })
  returnReason: string | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  submittedAt: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  publishedAt: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  closedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
