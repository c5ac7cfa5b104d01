import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const SCENARIO_RESULT_STATUSES = ['publicity', 'published', 'failed'] as const;
export type ScenarioResultStatus = (typeof SCENARIO_RESULT_STATUSES)[number];

export interface ScenarioResultItem {
  rank: number | null;
  applicationId: string;
  organizationId: string;
  organizationName: string;
  consortium: { id: string; name: string }[];
  submissionId: string | null;
  metricScore: number | null;
  normalizedMetric: number | null;
  expertScore: number | null;
  finalScore: number | null;
}

/**
 * The combined final ranking of a scenario (result stage): computed when an operator publishes it,
 * shown in a `results` publicity (公示), `published` when that publicity passes (the scenario is then
 * `concluded`), `failed` when an objection was upheld (the operator may publish again).
 */
@Entity('scenario_results')
@Index('idx_scenario_results_scenario_created', ['scenarioId', 'createdAt'])
@Index('uq_scenario_results_live', ['scenarioId'], { unique: true, where: `"status" <> 'failed'` })
export class ScenarioResultEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  scenarioId: string;

  @Column({ type: 'uuid' })
  panelId: string;

  @Column({ type: 'int' })
  panelRound: number;

  @Column({ type: 'text', default: 'publicity' })
  status: ScenarioResultStatus;

  /** as given at publication (not normalized) */
  @Column({ type: 'jsonb' })
  weights: { metric: number; expert: number };

  @Column({ type: 'text', nullable: true })
  metric: string | null;

  @Column({ type: 'jsonb' })
  items: ScenarioResultItem[];

  @Column({ type: 'uuid', nullable: true })
  publicityId: string | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  publishedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
