import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One leaf of the ledger's Merkle tree: the event with `seq` got ledger index `leafIndex` (0-based,
 * contiguous, in the order the sequencer saw events committed). Append-only (database triggers).
 */
@Entity('audit_ledger_entries')
@Check('ck_audit_ledger_entries_leaf_index', '"leaf_index" >= 0')
@Check('ck_audit_ledger_entries_leaf_hash', 'octet_length("leaf_hash") = 32')
export class AuditLedgerEntryEntity {
  @PrimaryColumn({ type: 'bigint' })
  leafIndex: string;

  /** audit_events.seq of the event */
  @Index('uq_audit_ledger_entries_event_seq', { unique: true })
  @Column({ type: 'bigint' })
  eventSeq: string;

  /** SHA-256(0x00 || JCS(event)), 32 bytes */
  @Column({ type: 'bytea' })
  leafHash: Buffer;

  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' })
  sequencedAt: Date;
}
