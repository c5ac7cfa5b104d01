import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Aggregation, RubricCriterion } from '../scoring/panel-math';

export const PANEL_STAGES = ['application', 'result'] as const;
export type PanelStage = (typeof PANEL_STAGES)[number];
export const PANEL_STATUSES = ['open', 'closed'] as const;
export type PanelStatus = (typeof PANEL_STATUSES)[number];

/**
 * An expert panel (专家评审组) of one scenario and stage. Scores belong to a `round`; closing freezes the
 * round's results, reopening starts the next round (the closed one stays as it was).
 */
@Entity('panels')
@Index('idx_panels_scenario_created', ['scenarioId', 'createdAt', 'id'])
@Index('idx_panels_created_at_id', ['createdAt', 'id'])
export class PanelEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  scenarioId: string;

  /** copied from the scenario: the issuer (gov) reads its scenarios' panels and their results */
  @Index('idx_panels_issuer_org_id')
  @Column({ type: 'uuid' })
  issuerOrgId: string;

  @Column({ type: 'text' })
  stage: PanelStage;

  @Column({ type: 'boolean', default: true })
  blind: boolean;

  @Column({ type: 'jsonb' })
  rubric: RubricCriterion[];

  @Column({ type: 'text' })
  aggregation: Aggregation;

  @Column({ type: 'text', default: 'open' })
  status: PanelStatus;

  /** the round being scored (open) or the last closed round (closed) */
  @Column({ type: 'int', default: 1 })
  round: number;

  /** stage `application`: how many best-ranked applications a close shortlists (null: every scored one) */
  @Column({ type: 'int', nullable: true })
  shortlistSize: number | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  closedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
