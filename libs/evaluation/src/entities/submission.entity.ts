import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const SUBMISSION_STATES = ['queued', 'scoring', 'scored', 'failed'] as const;
export type SubmissionState = (typeof SUBMISSION_STATES)[number];

/** What a person needs to fix a failed submission (problem+json-like: a stable code and a sentence). */
export interface SubmissionError {
  code: string;
  detail: string;
  issues?: unknown[];
  /** code submissions: exit code and the last (redacted) log lines */
  exitCode?: number | null;
  logTail?: string[];
}

/**
 * One file (predictions, or a code bundle) sent by an organization to a phase. `quotaDay` is the calendar
 * day of `createdAt` in the platform's time zone: the daily quota counts rows of one day.
 */
@Entity('submissions')
@Index('idx_submissions_phase_org_created', ['phaseId', 'organizationId', 'createdAt'])
@Index('idx_submissions_phase_status', ['phaseId', 'status'])
@Index('uq_submissions_idempotency', ['organizationId', 'phaseId', 'idempotencyKey'], {
  unique: true,
  where: '"idempotency_key" IS NOT NULL',
})
export class SubmissionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  phaseId: string;

  @Column({ type: 'uuid' })
  scenarioId: string;

  @Column({ type: 'uuid' })
  organizationId: string;

  @Column({ type: 'uuid' })
  submittedBy: string;

  @Column({ type: 'text', default: 'queued' })
  status: SubmissionState;

  @Column({ type: 'text' })
  fileName: string;

  @Column({ type: 'text' })
  storageKey: string;

  @Column({ type: 'text' })
  sha256: string;

  @Column({ type: 'bigint', transformer: { to: (v) => v, from: (v) => Number(v) } })
  sizeBytes: number;

  @Column({ type: 'text', nullable: true })
  idempotencyKey: string | null;

  @Column({ type: 'date' })
  quotaDay: string;

  @Column({ type: 'double precision', nullable: true })
  publicScore: number | null;

  @Column({ type: 'double precision', nullable: true })
  privateScore: number | null;

  @Column({ type: 'jsonb', nullable: true })
  error: SubmissionError | null;

  @Column({ type: 'boolean', default: false })
  selectedFinal: boolean;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  scoredAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
