import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type AuditOutcome = 'success' | 'denied' | 'failure';

/**
 * One row per state change or data access. Written in the same transaction as the change it records;
 * the ledger (sequencing, Merkle tree) builds on these rows and never rewrites them.
 */
@Entity('audit_events')
@Index('idx_audit_events_actor_at', ['actorId', 'at'])
@Index('idx_audit_events_object', ['objectType', 'objectId'])
@Index('idx_audit_events_action_at', ['action', 'at'])
export class AuditEventEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** commit-independent insertion order; the ledger index is assigned later, in commit order */
  @Index('idx_audit_events_seq', { unique: true })
  @Column({ type: 'bigint', generated: 'increment' })
  seq: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  at: Date;

  @Column({ type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ type: 'uuid', nullable: true })
  actorOrgId: string | null;

  @Column({ type: 'text' })
  action: string;

  @Column({ type: 'text' })
  objectType: string;

  @Column({ type: 'text', nullable: true })
  objectId: string | null;

  @Column({ type: 'text' })
  outcome: AuditOutcome;

  @Column({ type: 'text', nullable: true })
  ip: string | null;

  @Column({ type: 'text', nullable: true })
  requestId: string | null;

  @Column({ type: 'jsonb', default: {} })
  details: Record<string, unknown>;
}
