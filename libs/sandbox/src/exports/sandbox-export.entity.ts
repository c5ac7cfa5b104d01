import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { RunOutputFile } from '../runs/sandbox-run.entity';

export type ExportStatus = 'checking' | 'flagged' | 'pending_review' | 'approved' | 'rejected' | 'released';

export interface ExportCheck {
  name: string;
  passed: boolean;
  detail: string;
}

/** A request to take output files of a run out of the sandbox (the airlock). */
@Entity('sandbox_exports')
@Index('uq_sandbox_exports_idempotency', ['runId', 'idempotencyKey'], {
  unique: true,
  where: `"idempotency_key" IS NOT NULL`,
})
@Index('idx_sandbox_exports_created_at_id', ['createdAt', 'id'])
export class SandboxExportEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('idx_sandbox_exports_run_id')
  @Column({ type: 'uuid' })
  runId: string;

  @Column({ type: 'uuid' })
  sandboxId: string;

  /** the requesting organization (the sandbox's) */
  @Index('idx_sandbox_exports_organization_id')
  @Column({ type: 'uuid' })
  organizationId: string;

  /** copied from the sandbox: its consortium members besides the lead, requesting parties too */
  @Index('idx_sandbox_exports_consortium_org_ids', { type: 'gin' })
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  consortiumOrgIds: string[];

  @Column({ type: 'jsonb' })
  files: RunOutputFile[];

  @Column({ type: 'text' })
  justification: string;

  @Column({ type: 'text', default: 'checking' })
  status: ExportStatus;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  checks: ExportCheck[];

  @Column({ type: 'text', nullable: true })
  idempotencyKey: string | null;

  @Column({ type: 'uuid', nullable: true })
  requestedBy: string | null;

  /** key in the exports bucket once released (a single file, or a zip of several) */
  @Column({ type: 'text', nullable: true })
  releasedKey: string | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  decidedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
