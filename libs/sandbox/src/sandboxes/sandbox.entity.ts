import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type SandboxStatus = 'active' | 'expired' | 'suspended' | 'closed';

/**
 * An awardee's time-boxed sandbox (沙箱) for one scenario, with its resource quota. Provisioned from a
 * `sandbox_provision_requests` row (award publicity passed) or by an operator; expires at `expiresAt`.
 */
@Entity('sandboxes')
@Index('idx_sandboxes_created_at_id', ['createdAt', 'id'])
@Index('idx_sandboxes_status_expires_at', ['status', 'expiresAt'])
export class SandboxEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('idx_sandboxes_scenario_id')
  @Column({ type: 'uuid' })
  scenarioId: string;

  /** the awardee (lead) organization: its members use the sandbox */
  @Index('idx_sandboxes_organization_id')
  @Column({ type: 'uuid' })
  organizationId: string;

  /**
   * the consortium's member organizations besides the lead (as on the application): their members use
   * the sandbox with the lead's rights. Fixed at provisioning and copied onto every grant, run, export
   * and extension request, so access stays a column condition (docs/sandboxes.md).
   */
  @Index('idx_sandboxes_consortium_org_ids', { type: 'gin' })
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  consortiumOrgIds: string[];

  /** one sandbox per awarded application */
  @Index('uq_sandboxes_application_id', { unique: true })
  @Column({ type: 'uuid', nullable: true })
  applicationId: string | null;

  @Column({ type: 'uuid', nullable: true })
  provisionRequestId: string | null;

  @Column({ type: 'text', default: 'active' })
  status: SandboxStatus;

  @Column({ type: 'double precision' })
  cpus: number;

  @Column({ type: 'integer' })
  memoryMb: number;

  @Column({ type: 'integer' })
  diskMb: number;

  @Column({ type: 'integer' })
  runTimeoutSeconds: number;

  @Column({ type: 'timestamptz', precision: 3 })
  expiresAt: Date;

  @Column({ type: 'text', nullable: true })
  suspendedReason: string | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
