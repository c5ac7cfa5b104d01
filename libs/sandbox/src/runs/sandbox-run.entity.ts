import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { DatasetGrade, GrantView } from '../grants/dataset-grant.entity';

export type SandboxRunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'timed_out' | 'cancelled';

export interface RunOutputFile {
  path: string;
  sizeBytes: number;
  sha256: string;
}

/** What a run had mounted: the airlock's checks and review routing come from here. */
export interface RunMountRecord {
  grantId: string;
  datasetId: string;
  datasetVersionId: string;
  datasetName: string;
  mountPath: string;
  view: GrantView;
  grade: DatasetGrade;
  providerOrgId: string;
  sha256: string;
  rowCount: number;
}

/** One execution of a company's bundle in its sandbox (BullMQ job id = run id). */
@Entity('sandbox_runs')
@Index('uq_sandbox_runs_idempotency', ['sandboxId', 'idempotencyKey'], {
  unique: true,
  where: `"idempotency_key" IS NOT NULL`,
})
@Index('idx_sandbox_runs_sandbox_created', ['sandboxId', 'createdAt', 'id'])
export class SandboxRunEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  sandboxId: string;

  @Index('idx_sandbox_runs_organization_id')
  @Column({ type: 'uuid' })
  organizationId: string;

  /** copied from the sandbox: its consortium members besides the lead (lists filter by sandbox first) */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  consortiumOrgIds: string[];

  @Column({ type: 'jsonb' })
  command: string[];

  @Column({ type: 'text', default: 'queued' })
  status: SandboxRunStatus;

  @Column({ type: 'text', nullable: true })
  idempotencyKey: string | null;

  @Column({ type: 'text' })
  bundleKey: string;

  @Column({ type: 'text' })
  bundleSha256: string;

  @Column({ type: 'bigint' })
  bundleSizeBytes: string;

  @Column({ type: 'integer', nullable: true })
  exitCode: number | null;

  /** why it failed, timed out or was cancelled (oom, limits, bad bundle …), for people */
  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  notes: string[];

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'double precision', nullable: true })
  cpuSeconds: number | null;

  @Column({ type: 'double precision', nullable: true })
  maxMemoryMb: number | null;

  @Column({ type: 'double precision', nullable: true })
  wallSeconds: number | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  outputs: RunOutputFile[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  mounts: RunMountRecord[];

  @Column({ type: 'integer', default: 0 })
  logBytes: number;

  @Column({ type: 'boolean', default: false })
  logTruncated: boolean;

  /** lines of the log replaced by a marker in the company's view */
  @Column({ type: 'integer', default: 0 })
  redactedLines: number;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  cancelRequestedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  requestedBy: string | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
