import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { ApplicationEntity } from './application.entity';

export type SandboxProvisionStatus = 'pending' | 'provisioned' | 'cancelled';

/**
 * `sandbox.provision`: one row per awardee, written when an award publicity passes. The sandbox issue
 * consumes the `pending` rows (creates the sandbox, sets `provisioned`); until then they are the record
 * of what is owed. One per application (unique), so a re-run of the close cannot double it.
 */
@Entity('sandbox_provision_requests')
@Index('idx_sandbox_provision_requests_status_created', ['status', 'createdAt'])
export class SandboxProvisionRequestEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('uq_sandbox_provision_requests_application', { unique: true })
  @Column({ type: 'uuid' })
  applicationId: string;

  @ManyToOne(() => ApplicationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'application_id' })
  application?: ApplicationEntity;

  @Index('idx_sandbox_provision_requests_scenario_id')
  @Column({ type: 'uuid' })
  scenarioId: string;

  /** the awardee (lead) organization */
  @Column({ type: 'uuid' })
  organizationId: string;

  /** the members of its consortium, who may be given access too */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  consortiumOrgIds: string[];

  @Column({ type: 'uuid' })
  publicityId: string;

  @Column({ type: 'integer' })
  sandboxDays: number;

  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  datasetIds: string[];

  @Column({ type: 'text', default: 'pending' })
  status: SandboxProvisionStatus;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
