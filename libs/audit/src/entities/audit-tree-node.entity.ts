import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The hash of a complete subtree of the ledger: 2^level leaves starting at leaf `position * 2^level`
 * (level >= 1; level 0 is audit_ledger_entries.leaf_hash). Written once, when the subtree completes;
 * any proof needs O(log n) of them. Append-only (database triggers).
 */
@Entity('audit_tree_nodes')
@Check('ck_audit_tree_nodes_shape', '"level" BETWEEN 1 AND 62 AND "position" >= 0')
@Check('ck_audit_tree_nodes_hash', 'octet_length("hash") = 32')
export class AuditTreeNodeEntity {
  @PrimaryColumn({ type: 'smallint' })
  level: number;

  @PrimaryColumn({ type: 'bigint' })
  position: string;

  @Column({ type: 'bytea' })
  hash: Buffer;
}
