import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type ExtensionStatus = 'pending' | 'approved' | 'rejected';

/** A request to extend a sandbox by `days`, decided once by an operator. */
@Entity('sandbox_extensions')
@Index('uq_sandbox_extensions_pending', ['sandboxId'], { unique: true, where: `"status" = 'pending'` })
export class SandboxExtensionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('idx_sandbox_extensions_sandbox_id')
  @Column({ type: 'uuid' })
  sandboxId: string;

  /** copied from the sandbox so that access is a column condition */
  @Column({ type: 'uuid' })
  organizationId: string;

  /** copied from the sandbox: its consortium members besides the lead */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  consortiumOrgIds: string[];

  @Column({ type: 'integer' })
  days: number;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'text', default: 'pending' })
  status: ExtensionStatus;

  @Column({ type: 'uuid', nullable: true })
  requestedBy: string | null;

  @Column({ type: 'uuid', nullable: true })
  decidedBy: string | null;

  @Column({ type: 'text', nullable: true })
  decisionReason: string | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  decidedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
