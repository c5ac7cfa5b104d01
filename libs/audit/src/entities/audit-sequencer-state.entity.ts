import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Operational state of the sequencer (one row, id 1; not part of the ledger):
 * - `idle`: the insert trigger on audit_events sends a NOTIFY only while the sequencer is idle, so busy
 *   periods cost no NOTIFY (which serializes committing transactions in PostgreSQL);
 * - `horizonSeq`: every audit_events row with seq <= horizonSeq is sequenced or will never commit, so
 *   the sequencer only looks above it.
 */
@Entity('audit_sequencer_state')
export class AuditSequencerStateEntity {
  @PrimaryColumn({ type: 'smallint' })
  id: number;

  @Column({ type: 'boolean', default: true })
  idle: boolean;

  @Column({ type: 'bigint', default: 0 })
  horizonSeq: string;

  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' })
  updatedAt: Date;
}
