import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A signed tree head: Ed25519 over "aihub-audit-checkpoint/v1\n<treeSize>\n<rootHash hex>\n<at>\n".
 * Every checkpoint is kept. Append-only (database triggers).
 */
@Entity('audit_checkpoints')
@Check('ck_audit_checkpoints_shape', '"tree_size" >= 1 AND octet_length("root_hash") = 32')
@Check('ck_audit_checkpoints_signature', 'octet_length("signature") = 64 AND octet_length("public_key") = 32')
export class AuditCheckpointEntity {
  @PrimaryColumn({ type: 'bigint' })
  treeSize: string;

  @Column({ type: 'bytea' })
  rootHash: Buffer;

  @Column({ type: 'timestamptz', precision: 3 })
  at: Date;

  @Column({ type: 'bytea' })
  signature: Buffer;

  /** raw 32-byte Ed25519 public key of the signer */
  @Column({ type: 'bytea' })
  publicKey: Buffer;
}
