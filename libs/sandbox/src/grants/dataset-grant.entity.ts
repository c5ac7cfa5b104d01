import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type GrantView = 'raw' | 'masked' | 'synthetic';
export type GrantStatus = 'requested' | 'active' | 'revoked' | 'expired';
export type DatasetGrade = 'general' | 'important' | 'core';

/**
 * Access of one sandbox to one dataset version in one view. Requested by the sandbox's organization,
 * approved or revoked by a data steward of the providing organization; only `active` grants are
 * mounted. Dataset facts (name, grade, provider) are copied at request time: access rules are column
 * conditions and the airlock needs them per run.
 */
@Entity('sandbox_grants')
@Index('uq_sandbox_grants_live', ['sandboxId', 'datasetVersionId', 'view'], {
  unique: true,
  where: `"status" IN ('requested', 'active')`,
})
@Index('idx_sandbox_grants_created_at_id', ['createdAt', 'id'])
export class DatasetGrantEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('idx_sandbox_grants_sandbox_id')
  @Column({ type: 'uuid' })
  sandboxId: string;

  @Column({ type: 'uuid' })
  sandboxOrgId: string;

  /** copied from the sandbox: its consortium members besides the lead, who use it like the lead */
  @Index('idx_sandbox_grants_consortium_org_ids', { type: 'gin' })
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  consortiumOrgIds: string[];

  @Column({ type: 'uuid' })
  datasetId: string;

  @Column({ type: 'uuid' })
  datasetVersionId: string;

  @Column({ type: 'text' })
  datasetName: string;

  @Column({ type: 'text' })
  grade: DatasetGrade;

  @Index('idx_sandbox_grants_provider_org_id')
  @Column({ type: 'uuid' })
  providerOrgId: string;

  @Column({ type: 'text' })
  view: GrantView;

  @Column({ type: 'text', default: 'requested' })
  status: GrantStatus;

  /** per-grant key of the masked view's keyed hashes; never leaves the server */
  @Column({ type: 'bytea', nullable: true, select: false })
  salt: Buffer | null;

  /** storage key (views bucket) of the version's row fingerprint set, built at approval */
  @Column({ type: 'text', nullable: true })
  fingerprintKey: string | null;

  @Column({ type: 'integer', nullable: true })
  fingerprintCount: number | null;

  @Column({ type: 'uuid', nullable: true })
  requestedBy: string | null;

  @Column({ type: 'uuid', nullable: true })
  decidedBy: string | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  approvedAt: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  endedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
