import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const PHASE_MODES = ['predictions', 'code'] as const;
export type PhaseMode = (typeof PHASE_MODES)[number];

/** Limits of a code submission's run (defaults in the service). */
export interface PhaseCodeLimits {
  cpus: number;
  memoryMb: number;
  runTimeoutSeconds: number;
  diskMb: number;
}

/**
 * One phase of a scenario's evaluation (e.g. 初赛 / 复赛): a submission window, a metric, quotas and the
 * public/private split. `splitSecret` keys the HMAC that assigns each id to the public or the private part;
 * it never leaves the server.
 */
@Entity('evaluation_phases')
@Index('idx_evaluation_phases_scenario_id', ['scenarioId', 'startsAt'])
export class EvaluationPhaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  scenarioId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'timestamptz', precision: 3 })
  startsAt: Date;

  @Column({ type: 'timestamptz', precision: 3 })
  endsAt: Date;

  @Column({ type: 'text' })
  mode: PhaseMode;

  @Column({ type: 'text' })
  metric: string;

  @Column({ type: 'jsonb', nullable: true })
  metricParams: Record<string, unknown> | null;

  @Column({ type: 'integer' })
  dailyLimit: number;

  @Column({ type: 'integer', nullable: true })
  totalLimit: number | null;

  @Column({ type: 'integer' })
  maxFileMb: number;

  @Column({ type: 'double precision' })
  publicFraction: number;

  /** any enterprise may submit (otherwise awardee organizations only) */
  @Column({ type: 'boolean', default: false })
  open: boolean;

  /** code mode: the command run inside the sandbox, and its limits */
  @Column({ type: 'jsonb', nullable: true })
  command: string[] | null;

  @Column({ type: 'jsonb', nullable: true })
  codeLimits: PhaseCodeLimits | null;

  /** code mode: storage key (ground-truth bucket) of the hidden test inputs, a .tar.gz mounted at /data */
  @Column({ type: 'text', nullable: true })
  inputsKey: string | null;

  @Column({ type: 'text', select: false })
  splitSecret: string;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  closedAt: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  resultsPublishedAt: Date | null;

  @Column({ type: 'integer', default: 0 })
  position: number;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
