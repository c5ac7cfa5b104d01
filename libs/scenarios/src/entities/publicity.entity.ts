import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import type { PublicityKind, PublicityOutcome, PublicityStatus } from '../vocabularies';
import { ScenarioEntity } from './scenario.entity';

/** Who or what a publicity shows; `objectType`/`objectId` name the row (an Application for awards). */
export interface PublicitySubject {
  objectType: string;
  objectId: string;
  organizationId?: string;
  organizationName?: string;
  /** anything else the kind wants to show (a rank, a score …) */
  [extra: string]: unknown;
}

/**
 * A public notice (公示) with an objection window: `kind: award` for proposed awardees, `kind: results`
 * for a final ranking (evaluation issue). It stays `open` until `endsAt` and until every objection is
 * resolved; then it closes with `outcome` `passed` (no objection upheld) or `failed`.
 */
@Entity('publicities')
@Index('idx_publicities_status_ends_at', ['status', 'endsAt'])
@Index('idx_publicities_starts_at_id', ['startsAt', 'id'])
@Index('uq_publicities_open_scenario_kind', ['scenarioId', 'kind'], {
  unique: true,
  where: `"status" = 'open'`,
})
export class PublicityEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('idx_publicities_scenario_id')
  @Column({ type: 'uuid' })
  scenarioId: string;

  @ManyToOne(() => ScenarioEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'scenario_id' })
  scenario?: ScenarioEntity;

  @Column({ type: 'text' })
  kind: PublicityKind;

  @Column({ type: 'text', default: 'open' })
  status: PublicityStatus;

  @Column({ type: 'text', nullable: true })
  outcome: PublicityOutcome | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  subjects: PublicitySubject[];

  @Column({ type: 'timestamptz', precision: 3 })
  startsAt: Date;

  @Column({ type: 'timestamptz', precision: 3 })
  endsAt: Date;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  closedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
