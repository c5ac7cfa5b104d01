import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type AuditOutcome = 'success' | 'denied' | 'failure';

/**
 * One row per state change or data access. Written in the same transaction as the change it records;
 * the ledger (sequencing, Merkle tree) builds on these rows and never rewrites them.
 */
@Entity('audit_events')
@Check('ck_audit_events_details_jcs', '"details_jcs" IS NULL OR "details_jcs"::jsonb = "details"')
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

  /**
   * `details` as RFC 8785 canonical JSON text, written with it by AuditService.record: what the API shows
   * and the ledger hashes (so verification can rebuild each hashed event inside PostgreSQL). `details` is
   * the same JSON (a CHECK), kept for queries. Null for events recorded before the column existed; those
   * show and hash `details`.
   */
  @Column({ type: 'text', nullable: true })
  detailsJcs: string | null;
}
